/**
 * Every function bundled as the stack bundles it (infra/bundling.ts) stays within a size budget, and holds only
 * the libraries it uses. A size is deterministic, unlike an init time: this fails on the change that adds
 * the weight (zod's classic API alone was about 440 KiB of every bundle that validates input).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunctions, type FunctionBundle } from '../../bench/cold-start.ts';
import type { SdkSource } from '../../infra/bundling.ts';

const kib = 1024;
/**
 * With the SDK bundled (the default) the DynamoDB and `@connections` clients are about 330 KiB of each bundle;
 * with the runtime's SDK (`-c awsSdk=runtime`) what is left is ours: the goal of 300 KiB applies.
 */
const budgets: Record<SdkSource, number> = { bundled: 512 * kib, runtime: 300 * kib };
/** The functions that filter content also carry the Comprehend client (about 16 KiB, with the SDK bundled). */
const comprehendAllowance: Record<SdkSource, number> = { bundled: 24 * kib, runtime: 0 };
const budgetOf = (bundle: FunctionBundle, sdk: SdkSource) =>
  budgets[sdk] + (bundle.spec.access.filtersContent ? comprehendAllowance[sdk] : 0);

const describeBundle = (bundle: FunctionBundle) => {
  const largest = [...bundle.parts].sort((a, b) => b[1] - a[1]).slice(0, 4);
  const parts = largest.map(([name, bytes]) => `${name} ${Math.round(bytes / kib)} KiB`).join(', ');
  return `${bundle.spec.name}: ${Math.round(bundle.bytes.length / kib)} KiB (${parts})`;
};

describe.each(['bundled', 'runtime'] as const)('function bundles with the SDK %s', (sdk) => {
  let outdir: string;
  let bundles: FunctionBundle[];

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), `chat-bundles-${sdk}-`));
    bundles = await bundleFunctions(outdir, sdk);
  });
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  it(`are each at most ${budgets[sdk] / kib} KiB minified (plus Comprehend's client where it is used)`, () => {
    const over = bundles.filter((bundle) => bundle.bytes.length > budgetOf(bundle, sdk)).map(describeBundle);
    expect(over).toEqual([]);
  });

  it("carry the schema library's tree-shaken core, not all of zod and its locales", () => {
    const heavy = bundles.filter((bundle) => (bundle.parts.get('zod') ?? 0) > 64 * kib).map(describeBundle);
    expect(heavy).toEqual([]);
  });

  // The composition root's clients (DynamoDB, `@connections`) are in every function that builds a context; a
  // client only some functions use (a queue, a topic, DynamoDB Streams) belongs in those functions' bundles only.
  it('carry no client a function does not use', () => {
    const unused = bundles.flatMap((bundle) => {
      const clients = [...bundle.parts.keys()].filter((name) => name.startsWith('@aws-sdk/client-'));
      // Every function's context holds the push queue (SQS); only the push worker sends through SNS, only
      // the event publisher puts events on EventBridge, and only the sends and the edit ask Comprehend.
      const allowed =
        bundle.spec.name === 'WsAuthorizer'
          ? ['@aws-sdk/client-dynamodb'] // it builds no context: it reads a suspension, nothing else
          : [
              '@aws-sdk/client-dynamodb',
              '@aws-sdk/client-apigatewaymanagementapi',
              '@aws-sdk/client-sqs',
              ...(bundle.spec.name === 'PushWorker' ? ['@aws-sdk/client-sns'] : []),
              ...(bundle.spec.name === 'EventPublisher' ? ['@aws-sdk/client-eventbridge'] : []),
              ...(bundle.spec.access.filtersContent ? ['@aws-sdk/client-comprehend'] : []),
            ];
      return clients
        .filter((client) => !allowed.includes(client))
        .map((client) => `${bundle.spec.name}: ${client}`);
    });
    expect(unused).toEqual([]);
  });
});
