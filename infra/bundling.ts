/**
 * How every function is bundled, defined once: the stack builds with these options through NodejsFunction
 * (infra/constructs/chat-function.ts), the cold-start bench and the bundle-size test through esbuild itself.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Node } from 'constructs';
import type { BuildOptions } from 'esbuild';
import type { HotStateBackend } from './config.ts';

/**
 * Where the AWS SDK comes from. `bundled` (the default): the versions of the lock file, in the bundle, so a
 * deploy runs what the tests ran. `runtime`: left out, the copy of SDK v3 that Lambda's Node.js 22 runtime
 * ships is loaded instead (smaller bundles, but its version is whatever that runtime carries that day).
 */
export type SdkSource = 'bundled' | 'runtime';

const sdkSources: readonly SdkSource[] = ['bundled', 'runtime'];

/** `cdk deploy -c awsSdk=runtime` chooses the runtime's SDK. */
export function sdkSourceOf(node: Node): SdkSource {
  const value = (node.tryGetContext('awsSdk') as unknown) ?? 'bundled';
  if (!sdkSources.includes(value as SdkSource))
    throw new Error(`Context awsSdk must be one of ${sdkSources.join(', ')}`);
  return value as SdkSource;
}

/** The functions' `CHAT_HOT_STATE` for the stack's hot state (shared/hot-state/hot-state-adapters.ts). */
const chatHotState: Record<HotStateBackend, string> = { dynamodb: 'dynamodb', elasticache: 'valkey' };

/** What esbuild is given for every function, in esbuild's own words. */
export function esbuildOptions(sdk: SdkSource, hotState: HotStateBackend) {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    // The ES module builds of dependencies that ship both: esbuild can drop what a function does not import.
    mainFields: ['module', 'main'],
    // sharp is a native addon over libvips, which esbuild cannot bundle: the thumbnail maker's asset gets it
    // installed for Lambda's platform instead (`withSharp`).
    external: [...(sdk === 'runtime' ? ['@aws-sdk/*'] : []), 'sharp'],
    // The hot-state backend, fixed at build time so that the composition root's other branch drops out: a
    // DynamoDB build (the default stack) carries no Valkey client at all (iovalkey is about 120 KiB).
    define: { 'process.env.CHAT_HOT_STATE': JSON.stringify(chatHotState[hotState]) },
    // No licence comments gathered at the end of a bundle (today's dependencies leave none; package-lock.json names them all).
    legalComments: 'none',
    // Some dependencies are CommonJS and call `require`, which an ES module does not have.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  } satisfies BuildOptions;
}

/** The same options as NodejsFunction takes them (it adds `bundle`, `platform` and the output file itself). */
export function functionBundling(sdk: SdkSource, hotState: HotStateBackend): BundlingOptions {
  const options = esbuildOptions(sdk, hotState);
  return {
    format: OutputFormat.ESM,
    target: options.target,
    minify: options.minify,
    sourceMap: options.sourcemap,
    mainFields: options.mainFields,
    externalModules: options.external,
    define: options.define,
    banner: options.banner.js,
    esbuildArgs: { '--legal-comments': options.legalComments },
  };
}

const lockFile = resolve(import.meta.dirname, '..', 'package-lock.json');

/** A package's version as package-lock.json pins it: the one the tests ran. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

const shellQuoted = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * Installs sharp into `outputDir` for the platform Lambda runs it on (Linux, arm64, glibc) whatever the build
 * machine is: by these flags npm picks the prebuilt `@img/sharp-linux-arm64` and `@img/sharp-libvips-linux-arm64`
 * among sharp's optional dependencies (sharp's documented cross-platform install). No script runs: sharp needs none.
 */
function sharpInstallCommand(outputDir: string): string {
  return [
    'npm install --no-save --no-package-lock --omit=dev --ignore-scripts --os=linux --cpu=arm64 --libc=glibc',
    `--prefix ${shellQuoted(outputDir)} sharp@${lockedVersion('sharp')}`,
  ].join(' ');
}

/** What the one function that ships sharp adds to the shared bundling: sharp's install beside the bundle. */
export const withSharp: BundlingOptions = {
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [sharpInstallCommand(outputDir)],
  },
};
