/**
 * A measurement in a child process started with its own environment: the functions read their settings once
 * per process, and one process hosts one local runtime, so each variant of a setting runs in a child of its own.
 */
import { spawn } from 'node:child_process';
import { environmentForChild, repositoryRoot } from '../local/lambda.ts';

const resultPrefix = 'bench-child-result ';
export const childFlag = '--child';

/** In the child: hands `result` to the parent (one line of stdout) and exits. */
export function reportToParent(result: unknown): never {
  process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Runs `module` (a file URL's path) with `--child` and `env` added; answers what it reported. */
export function runChild<T>(module: string, env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${repositoryRoot}/node_modules/.bin/tsx`, [module, childFlag], {
      env: { ...environmentForChild(), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith(resultPrefix));
      if (code !== 0 || !line) reject(new Error(`${module} --child exited ${code}`));
      else resolve(JSON.parse(line.slice(resultPrefix.length)) as T);
    });
  });
}
