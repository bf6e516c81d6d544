/** A real `npm run dev` process (`local/dev.ts`), for tests that must see the runtime crash, restart or start up. */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { repositoryRoot } from '../../local/lambda.ts';
import { localToken, runtimeTarget, type Target } from './target.ts';

export interface DevRun {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
  /** Everything the process printed so far. */
  output: () => string;
}

/** This process's environment without what the test run's own runtime set (its issuer, table, endpoints). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URI', 'AWS_ENDPOINT_URL', 'TABLE_NAME']) {
    delete env[name];
  }
  delete env.CONNECTIONS_ENDPOINT;
  return env;
}

/**
 * Starts `local/dev.ts` with `env` added (ports default to free ones) in its own process group, so that it can
 * be killed with its Java child; `ready` resolves with its addresses once it printed its ready line.
 */
export function spawnDevRun(env: Record<string, string> = {}): {
  child: ChildProcess;
  ready: Promise<DevRun>;
} {
  const child = spawn(join(repositoryRoot, 'node_modules/.bin/tsx'), ['local/dev.ts'], {
    cwd: repositoryRoot,
    env: { ...cleanEnv(), HTTP_PORT: '0', WS_PORT: '0', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<DevRun>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HTTP (\S+)\s+WebSocket (\S+)/.exec(output);
      if (match?.[1] && match[2])
        resolve({ child, httpUrl: match[1], wsUrl: match[2], output: () => output });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`npm run dev exited (${code}): ${output}`)));
  });
  return { child, ready };
}

/** Kills a run and everything it started, as a crash would: nothing of it runs afterwards. */
export async function killDevRun(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-(child.pid as number), 'SIGKILL');
  await exited;
}

/** A token from the run's local issuer. */
export const devRunToken = (run: Pick<DevRun, 'httpUrl'>, userId: string, groups: readonly string[] = []) =>
  localToken(run.httpUrl, userId, groups);

/** A run of `npm run dev` as the end-to-end tests' target. */
export const devRunTarget = (run: DevRun): Target =>
  runtimeTarget({
    httpUrl: run.httpUrl,
    wsUrl: run.wsUrl,
    issueToken: (userId, groups) => devRunToken(run, userId, groups),
  });
