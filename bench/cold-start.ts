/**
 * Cold start: every function of the route table bundled as the CDK stack bundles it (esbuild, platform node,
 * target node22, ESM, bundled, minified), its size, and its module initialisation time: the `import()` of
 * the bundle in a fresh Node process (process start-up excluded), median of several runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { repositoryRoot } from '../local/lambda.ts';
import { fanOutConsumer, httpRoutes, webSocketAuthorizer, webSocketRoutes } from '../shared/shape/routes.ts';
import { median } from './stats.ts';

export interface ColdStart {
  name: string;
  entry: string;
  bundleBytes: number;
  gzipBytes: number;
  initMsMedian: number;
  initMsRuns: number[];
  error?: string;
}

/** ESM bundles of CommonJS dependencies need `require` for Node built-ins: the usual banner of ESM Lambda bundles. */
const requireBanner = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

const initScript =
  'const startedAt = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - startedAt));';

const run = promisify(execFile);

export async function measureColdStarts(runs: number): Promise<ColdStart[]> {
  const functions = [...webSocketRoutes, webSocketAuthorizer, ...httpRoutes, fanOutConsumer];
  const outdir = await mkdtemp(join(tmpdir(), 'chat-bench-bundles-'));
  try {
    await build({
      absWorkingDir: repositoryRoot,
      entryPoints: Object.fromEntries(functions.map((spec) => [spec.name, spec.entry])),
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      banner: { js: requireBanner },
      logLevel: 'silent',
    });
    const results: ColdStart[] = [];
    for (const spec of functions) {
      const file = join(outdir, `${spec.name}.mjs`);
      const bundle = await readFile(file);
      const initMsRuns: number[] = [];
      let error: string | undefined;
      for (let attempt = 0; attempt < runs && !error; attempt++) {
        try {
          const { stdout } = await run(
            process.execPath,
            ['--input-type=module', '--no-warnings', '-e', initScript, pathToFileURL(file).href],
            { env: process.env },
          );
          initMsRuns.push(Math.round(Number(stdout) * 10) / 10);
        } catch (failure) {
          error = (failure as Error).message.slice(0, 300);
        }
      }
      results.push({
        name: spec.name,
        entry: spec.entry,
        bundleBytes: (await stat(file)).size,
        gzipBytes: gzipSync(bundle).length,
        initMsMedian: median(initMsRuns),
        initMsRuns,
        ...(error ? { error } : {}),
      });
    }
    return results;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
