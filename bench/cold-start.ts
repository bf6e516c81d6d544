/**
 * Cold start: every function of the route table bundled with the stack's options (infra/bundling.ts), its size,
 * what the bundle holds by package (esbuild's metafile), and its module initialisation time: the `import()` of
 * the bundle in a fresh Node process run as Lambda runs it (`--enable-source-maps`), process start-up
 * excluded, median of several runs.
 */

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { allFunctionsBuild, type SdkSource } from '../infra/bundling.ts';
import type { HotStateBackend } from '../infra/config.ts';
import { environmentForChild, repositoryRoot } from '../local/lambda.ts';
import { allFunctionSpecs } from '../shared/shape/functions.ts';
import type { FunctionSpec } from '../shared/shape/routes.ts';
import { median } from './stats.ts';

export interface ColdStart {
  name: string;
  entry: string;
  bundleBytes: number;
  gzipBytes: number;
  initMsMedian: number;
  initMsRuns: number[];
  /** The packages (and `our code`) that take the most of the bundle, largest first, in bytes. */
  largestParts: [string, number][];
  error?: string;
}

export interface FunctionBundle {
  spec: FunctionSpec;
  file: string;
  bytes: Buffer;
  /** Bytes in the bundle by package (`our code` for the repository's own files). */
  parts: Map<string, number>;
}

const allFunctions = allFunctionSpecs;

/** `node_modules/@scope/name/…` → `@scope/name`; the repository's own files → `our code`. */
function packageOf(input: string): string {
  const inPackage = input.split('node_modules/').at(-1) as string;
  if (inPackage === input) return 'our code';
  const [first, second] = inPackage.split('/');
  return first?.startsWith('@') ? `${first}/${second}` : (first as string);
}

function partsOf(metafile: Metafile, output: string): Map<string, number> {
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
    const name = packageOf(input);
    parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
  }
  return parts;
}

/** Bundles every function into `outdir` (`<name>.mjs` and its source map), as the stack does. */
export async function bundleFunctions(
  outdir: string,
  sdk: SdkSource = 'bundled',
  hotState: HotStateBackend = 'dynamodb',
): Promise<FunctionBundle[]> {
  const { metafile } = await build({ ...allFunctionsBuild(outdir, sdk, hotState), metafile: true });
  const outputs = Object.keys(metafile.outputs);
  return Promise.all(
    allFunctions.map(async (spec) => {
      const file = join(outdir, spec.name, 'index.mjs');
      const output = outputs.find((path) => path.endsWith(`/${spec.name}/index.mjs`)) as string;
      return { spec, file, bytes: await readFile(file), parts: partsOf(metafile, output) };
    }),
  );
}

const initScript =
  'const startedAt = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - startedAt));';

/** What the functions read from the environment at module load, where the caller has not set it. */
const initEnvironment = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'chat',
  JWT_ISSUER: 'https://issuer.invalid',
  JWT_AUDIENCE: 'chat',
};

const run = promisify(execFile);

async function initTimes(file: string, runs: number): Promise<{ runs: number[]; error?: string }> {
  const times: number[] = [];
  for (let attempt = 0; attempt < runs; attempt++) {
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--enable-source-maps',
          '--input-type=module',
          '--no-warnings',
          '-e',
          initScript,
          pathToFileURL(file).href,
        ],
        { env: { ...initEnvironment, ...environmentForChild() } },
      );
      times.push(Math.round(Number(stdout) * 10) / 10);
    } catch (failure) {
      return { runs: times, error: (failure as Error).message.slice(0, 300) };
    }
  }
  return { runs: times };
}

export async function measureColdStarts(runs: number, sdk: SdkSource = 'bundled'): Promise<ColdStart[]> {
  // Inside the repository, so that bundles built with the SDK left out (`runtime`) find it in node_modules.
  const cache = join(repositoryRoot, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const outdir = await mkdtemp(join(cache, 'chat-bench-bundles-'));
  try {
    const results: ColdStart[] = [];
    for (const bundle of await bundleFunctions(outdir, sdk)) {
      const init = await initTimes(bundle.file, runs);
      results.push({
        name: bundle.spec.name,
        entry: bundle.spec.entry,
        bundleBytes: bundle.bytes.length,
        gzipBytes: gzipSync(bundle.bytes).length,
        initMsMedian: median(init.runs),
        initMsRuns: init.runs,
        largestParts: [...bundle.parts].sort((a, b) => b[1] - a[1]).slice(0, 5),
        ...(init.error ? { error: init.error } : {}),
      });
    }
    return results;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
