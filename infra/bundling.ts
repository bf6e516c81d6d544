/**
 * How every function is bundled, defined once: one esbuild build of every entry point of the route table (the
 * stack's assets, the cold-start bench and the bundle-size test all build with `allFunctionsBuild`). One build
 * parses the shared code and the SDK once: about 8 s for the 44 functions, where a build per function (what
 * NodejsFunction does) took about 50 s.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { Node } from 'constructs';
import { type BuildOptions, buildSync } from 'esbuild';
import { allFunctionSpecs } from '../shared/shape/functions.ts';
import type { FunctionSpec } from '../shared/shape/routes.ts';
import type { HotStateBackend } from './config.ts';

const repositoryRoot = resolve(import.meta.dirname, '..');

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
function esbuildOptions(sdk: SdkSource, hotState: HotStateBackend) {
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
    // installed for Lambda’s platform instead (`installSharp`).
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

/**
 * Every function in one build, each to `<outdir>/<function name>/index.mjs` with its source map: the file and
 * handler (`index.handler`) Lambda loads.
 */
export function allFunctionsBuild(outdir: string, sdk: SdkSource, hotState: HotStateBackend) {
  return {
    ...esbuildOptions(sdk, hotState),
    absWorkingDir: repositoryRoot,
    entryPoints: Object.fromEntries(allFunctionSpecs.map((spec) => [`${spec.name}/index`, spec.entry])),
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  } satisfies BuildOptions;
}

/** The builds of this process (a synthesis), one per SDK source and hot state, each made on first use. */
const builds = new Map<string, string>();

function builtFunctions(sdk: SdkSource, hotState: HotStateBackend): string {
  const key = `${sdk}/${hotState}`;
  const existing = builds.get(key);
  if (existing) return existing;
  const outdir = mkdtempSync(join(tmpdir(), 'chat-functions-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  buildSync(allFunctionsBuild(outdir, sdk, hotState));
  builds.set(key, outdir);
  return outdir;
}

/**
 * A function's code asset: its part of the shared build, then `afterBundling` on the asset's folder (a native
 * module's install, `installSharp`). Hashed by that output, as NodejsFunction hashes; CDK skips it where a
 * synthesis does no bundling (`aws:cdk:bundling-stacks`).
 */
export function functionCode(
  spec: FunctionSpec,
  sdk: SdkSource,
  hotState: HotStateBackend,
  afterBundling?: (outputDir: string) => void,
): Code {
  return Code.fromAsset(repositoryRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local build below always answers (it throws rather than fall back to Docker).
      image: DockerImage.fromRegistry('dummy'),
      // What is built. CDK reuses a bundling whose options it has seen, and every function shares the path.
      environment: { CHAT_FUNCTION: spec.name, CHAT_SDK: sdk, CHAT_HOT_STATE: hotState },
      local: {
        tryBundle(outputDir) {
          cpSync(join(builtFunctions(sdk, hotState), spec.name), outputDir, { recursive: true });
          afterBundling?.(outputDir);
          return true;
        },
      },
    },
  });
}

const lockFile = join(repositoryRoot, 'package-lock.json');

/** A package's version as package-lock.json pins it: the one the tests ran. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/**
 * Installs sharp into `outputDir` for the platform Lambda runs it on (Linux, arm64, glibc) whatever the build
 * machine is: by these flags npm picks the prebuilt `@img/sharp-linux-arm64` and `@img/sharp-libvips-linux-arm64`
 * among sharp's optional dependencies (sharp's documented cross-platform install). No script runs: sharp needs none.
 */
export function installSharp(outputDir: string): void {
  const windows = process.platform === 'win32';
  const args = [
    'install',
    '--no-save',
    '--no-package-lock',
    '--omit=dev',
    '--ignore-scripts',
    '--os=linux',
    '--cpu=arm64',
    '--libc=glibc',
    '--prefix',
    // npm is a script on Windows (npm.cmd), which only a shell runs: there the path is quoted for it.
    windows ? `"${outputDir}"` : outputDir,
    `sharp@${lockedVersion('sharp')}`,
  ];
  execFileSync('npm', args, { stdio: ['ignore', 'ignore', 'inherit'], shell: windows });
}
