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
import type { HotStateBackend } from '../../infra/config.ts';
import { thumbnailMaker } from '../../shared/shape/routes.ts';

const kib = 1024;
/**
 * With the SDK bundled (the default) the DynamoDB, SQS and `@connections` clients and the credential chain are
 * about 380 KiB of each bundle, zod/mini and Powertools about 65, and our own code about 70 (it was 35–45 before reactions, mentions,
 * attachments and the hot-state ports): 544 KiB leaves some 20 KiB for growth. With the runtime's SDK
 * (`-c awsSdk=runtime`) what is left is ours: the goal of 300 KiB applies.
 */
const budgets: Record<SdkSource, number> = { bundled: 544 * kib, runtime: 300 * kib };
/** The functions that filter content also carry the Comprehend client (about 16 KiB, with the SDK bundled). */
const comprehendAllowance: Record<SdkSource, number> = { bundled: 24 * kib, runtime: 0 };
/**
 * The functions with attachment access also carry the S3 client (about 140 KiB, with the SDK bundled), and
 * those that sign its presigners (about 80 KiB more).
 */
const s3Allowance: Record<SdkSource, number> = { bundled: 232 * kib, runtime: 8 * kib };
const budgetOf = (bundle: FunctionBundle, sdk: SdkSource) =>
  budgets[sdk] +
  (bundle.spec.access.filtersContent ? comprehendAllowance[sdk] : 0) +
  (bundle.spec.access.attachments ? s3Allowance[sdk] : 0);

/**
 * Built for the hot state on ElastiCache (`-c hotState=elasticache`), a function that builds the use cases'
 * context also carries the Valkey client and the IAM token's signer: about 130 KiB (iovalkey 73, its command
 * table 20, our Valkey adapters and the rest).
 */
const valkeyAllowance: Record<HotStateBackend, number> = { dynamodb: 0, elasticache: 136 * kib };

/** The default build, the runtime's SDK, and the build for the hot state on ElastiCache. */
const builds: { sdk: SdkSource; hotState: HotStateBackend }[] = [
  { sdk: 'bundled', hotState: 'dynamodb' },
  { sdk: 'runtime', hotState: 'dynamodb' },
  { sdk: 'bundled', hotState: 'elasticache' },
];

const describeBundle = (bundle: FunctionBundle) => {
  const largest = [...bundle.parts].sort((a, b) => b[1] - a[1]).slice(0, 4);
  const parts = largest.map(([name, bytes]) => `${name} ${Math.round(bytes / kib)} KiB`).join(', ');
  return `${bundle.spec.name}: ${Math.round(bundle.bytes.length / kib)} KiB (${parts})`;
};

describe.each(builds)(
  'function bundles with the SDK $sdk, the hot state in $hotState',
  ({ sdk, hotState }) => {
    let outdir: string;
    let bundles: FunctionBundle[];

    beforeAll(async () => {
      outdir = await mkdtemp(join(tmpdir(), `chat-bundles-${sdk}-${hotState}-`));
      bundles = await bundleFunctions(outdir, sdk, hotState);
    });
    afterAll(() => rm(outdir, { recursive: true, force: true }));

    const budget = budgets[sdk] + valkeyAllowance[hotState];
    it(`are each at most ${budget / kib} KiB minified (plus Comprehend's client where it is used)`, () => {
      const over = bundles
        .filter((bundle) => bundle.bytes.length > budgetOf(bundle, sdk) + valkeyAllowance[hotState])
        .map(describeBundle);
      expect(over).toEqual([]);
    });

    // The composition root loads the Valkey adapters in the branch the build keeps: a DynamoDB build (the
    // default stack) has no Valkey client at all; a Valkey build (SDK bundled) has it wherever a context is
    // built, which is where the composition root's `@connections` client is.
    it('carry the Valkey client exactly when built for the hot state on ElastiCache', () => {
      const names = (list: FunctionBundle[]) => list.map((bundle) => bundle.spec.name);
      const withValkey = names(bundles.filter((bundle) => bundle.parts.has('iovalkey')));
      if (hotState === 'dynamodb') return expect(withValkey).toEqual([]);
      const buildContext = bundles.filter((bundle) =>
        bundle.parts.has('@aws-sdk/client-apigatewaymanagementapi'),
      );
      expect(buildContext.length).toBeGreaterThan(30);
      expect(withValkey).toEqual(names(buildContext));
    });

    // sharp is a native addon over libvips: the thumbnail maker imports it from the copy installed beside its
    // bundle for Lambda's platform (`installSharp` in infra/bundling.ts), and no bundle holds any of it.
    it('leave sharp out, which only the thumbnail maker imports', () => {
      const importers = bundles.filter((bundle) =>
        /from\s*"sharp"|import\(\s*"sharp"\s*\)/.test(String(bundle.bytes)),
      );
      expect(importers.map((bundle) => bundle.spec.name)).toEqual([thumbnailMaker.name]);
      const holding = bundles.filter((bundle) =>
        [...bundle.parts.keys()].some((name) => name.includes('sharp')),
      );
      expect(holding.map(describeBundle)).toEqual([]);
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
        // the event publisher puts events on EventBridge, only the sends and the edit ask Comprehend, and only the
        // functions with attachment access reach S3.
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
                ...(bundle.spec.access.attachments ? ['@aws-sdk/client-s3'] : []),
              ];
        return clients
          .filter((client) => !allowed.includes(client))
          .map((client) => `${bundle.spec.name}: ${client}`);
      });
      expect(unused).toEqual([]);
    });
  },
);
