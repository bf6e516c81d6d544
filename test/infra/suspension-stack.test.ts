/**
 * The stack's side of suspensions: the authorizer may read the table (it refuses a suspended user) and nothing
 * more, every HTTP function may read a suspension, the push worker too, and only the suspension routes write
 * one; suspending may close the user's connections, lifting may not.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import { type FunctionSpec, pushWorker, webSocketAuthorizer } from '../../shared/shape/routes.ts';
import { type Resources, resourcesOfType, statementsOf, synthesize } from '../support/stack-template.ts';

let resources: Resources;
beforeAll(() => {
  resources = synthesize().resources;
}, 120_000);

const ofType = (type: string) => resourcesOfType(resources, type);
const all = allFunctionSpecs;
const named = (name: string) => all.find((spec) => spec.name === name) as FunctionSpec;
const actionsOf = (spec: FunctionSpec) =>
  statementsOf(resources, spec.name).flatMap((s) => [s.Action].flat());
const tableWrites = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

describe('suspensions in the stack', () => {
  it('let the authorizer read the table (GetItem), with its name, and write nothing', () => {
    const actions = actionsOf(webSocketAuthorizer);
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions.filter((action) => tableWrites.includes(action))).toEqual([]);
    expect(actions.filter((action) => action.startsWith('execute-api:'))).toEqual([]);
    const [, authorizer] =
      ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(`${webSocketAuthorizer.name}Function`)) ??
      [];
    expect(JSON.stringify(authorizer?.Properties.Environment)).toContain('TABLE_NAME');
  });

  it('let every HTTP function, $connect and the push worker read a suspension', () => {
    for (const spec of [...httpRoutes, named('WsConnect'), pushWorker])
      expect(actionsOf(spec), spec.name).toContain('dynamodb:GetItem');
    expect(actionsOf(pushWorker)).toContain('dynamodb:BatchGetItem');
  });

  it('let only the suspension routes write a suspension, and only suspending close connections', () => {
    const writers = all.filter((spec) => {
      const use = spec.access.table.suspensions;
      return use === 'write' || use === 'readWrite';
    });
    expect(writers.map((spec) => spec.name).sort()).toEqual(['HttpLiftSuspension', 'HttpSuspendUser']);
    const deletes = (spec: FunctionSpec) =>
      statementsOf(resources, spec.name)
        .filter((s) => [s.Action].flat().includes('execute-api:ManageConnections'))
        .some((s) => JSON.stringify(s.Resource).includes('/DELETE/@connections/*'));
    expect(deletes(named('HttpSuspendUser'))).toBe(true);
    expect(deletes(named('HttpLiftSuspension'))).toBe(false);
    expect(actionsOf(named('HttpSuspendUser'))).toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actionsOf(named('HttpLiftSuspension'))).toEqual(expect.arrayContaining(['dynamodb:DeleteItem']));
  });
});
