/**
 * The content filter's side of the stack: its settings reach exactly the functions that store a message's text,
 * and `comprehend:DetectToxicContent` is granted to them alone, and only with `contentFilter=comprehend`.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import { type FunctionSpec, webSocketRoutes } from '../../shared/shape/routes.ts';
import { type Resources, resourcesOfType, statementsOf, synthesize } from '../support/stack-template.ts';

const allFunctions = allFunctionSpecs;
const filterers = ['HttpEditMessage', 'HttpSendMessage', 'WsSendMessage'];
const synthesized = synthesize;
const ofType = resourcesOfType;

const comprehendOf = (resources: Resources, spec: FunctionSpec) =>
  statementsOf(resources, spec.name).filter((s) =>
    [s.Action].flat().some((a) => a.startsWith('comprehend:')),
  );

/** The environment of one function. */
function environmentOf(resources: Resources, spec: FunctionSpec): Record<string, unknown> {
  const fn = ofType(resources, 'AWS::Lambda::Function').find(([id]) => id.startsWith(`${spec.name}Function`));
  if (!fn) throw new Error(`no function for ${spec.name}`);
  return (fn[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('the content filter in the stack, by default', () => {
  let resources: Resources;
  beforeAll(() => {
    resources = synthesized({}).resources;
  }, 120_000);

  it('grants Comprehend to no function', () => {
    for (const spec of allFunctions) expect(comprehendOf(resources, spec), spec.name).toEqual([]);
  });

  it('gives the sends and the edit an empty word list and Comprehend off, and no other function any', () => {
    for (const spec of allFunctions) {
      const environment = environmentOf(resources, spec);
      if (filterers.includes(spec.name))
        expect(environment, spec.name).toMatchObject({
          CONTENT_FILTER: 'word-list',
          CONTENT_FILTER_WORDS: '',
          CONTENT_FILTER_FAIL: 'open',
        });
      else
        expect(
          Object.keys(environment).filter((name) => name.startsWith('CONTENT_FILTER')),
          spec.name,
        ).toEqual([]);
    }
  });
});

describe('the content filter in the stack with contentFilter=comprehend', () => {
  let synthesis: ReturnType<typeof synthesized>;
  beforeAll(() => {
    synthesis = synthesized({
      contentFilter: 'comprehend',
      contentFilterWords: 'spam, buy now',
      contentFilterThreshold: '0.9',
      contentFilterFail: 'closed',
    });
  }, 120_000);

  it('grants comprehend:DetectToxicContent (on *, its only resource) to the sends and the edit only', () => {
    const granted = allFunctions.filter((spec) => comprehendOf(synthesis.resources, spec).length > 0);
    expect(granted.map((spec) => spec.name).sort()).toEqual(filterers);
    for (const name of filterers) {
      const spec = allFunctions.find((s) => s.name === name) as FunctionSpec;
      expect(comprehendOf(synthesis.resources, spec)).toEqual([
        expect.objectContaining({ Action: 'comprehend:DetectToxicContent', Resource: '*' }),
      ]);
    }
  });

  it('hands them the configured settings', () => {
    const send = webSocketRoutes.find((spec) => spec.name === 'WsSendMessage') as FunctionSpec;
    expect(environmentOf(synthesis.resources, send)).toMatchObject({
      CONTENT_FILTER: 'comprehend',
      CONTENT_FILTER_WORDS: 'spam,buy now',
      CONTENT_FILTER_THRESHOLD: '0.9',
      CONTENT_FILTER_TIMEOUT_MS: '400',
      CONTENT_FILTER_FAIL: 'closed',
    });
  });

  it('passes cdk-nag (the wildcard resource is acknowledged with its reason)', () => {
    expect(() => synthesis.app.synth({ force: true })).not.toThrow();
  });
});

describe('content filter settings the stack refuses', () => {
  it('refuses an unknown filter, a threshold out of range and a word list too long for the environment', () => {
    expect(() => synthesized({ contentFilter: 'regex' })).toThrow('Context contentFilter must be one of');
    expect(() => synthesized({ contentFilterThreshold: '2' })).toThrow('Context contentFilterThreshold');
    expect(() => synthesized({ contentFilterWords: 'x'.repeat(3000) })).toThrow('4 KB');
  });
});
