/**
 * The local runtime restarted on a kept data folder (`CHAT_DATA_DIR`), as `npm run dev` runs it: no socket
 * survives a restart, so nobody may be shown online until they connect again. Each run is a real `npm run dev`
 * process; the first one is killed (SIGKILL, its DynamoDB Local too), so no `$disconnect` runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { repositoryRoot } from '../../local/lambda.ts';

interface Run {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'chat-restart-'));
const runs: Run[] = [];

/** This process's environment without what the test run's own runtime set (its issuer, table, endpoints). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URI', 'AWS_ENDPOINT_URL', 'TABLE_NAME']) {
    delete env[name];
  }
  delete env.CONNECTIONS_ENDPOINT;
  return env;
}

/** Starts `local/dev.ts` in its own process group (so it can be killed with its Java child). */
async function startRun(): Promise<Run> {
  const child = spawn(join(repositoryRoot, 'node_modules/.bin/tsx'), ['local/dev.ts'], {
    cwd: repositoryRoot,
    env: { ...cleanEnv(), CHAT_DATA_DIR: dataDir, HTTP_PORT: '0', WS_PORT: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<Run>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HTTP (\S+)\s+WebSocket (\S+)/.exec(output);
      if (match?.[1] && match[2]) resolve({ child, httpUrl: match[1], wsUrl: match[2] });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`npm run dev exited (${code}): ${output}`)));
  });
  const run = await ready;
  runs.push(run);
  return run;
}

/** Kills a run and everything it started, as a crash would: nothing of it runs afterwards. */
async function crash(run: Run): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  const exited = once(run.child, 'exit');
  process.kill(-(run.child.pid as number), 'SIGKILL');
  await exited;
}

async function tokenFor(run: Run, userId: string): Promise<string> {
  const answer = await fetch(`${run.httpUrl}/_local/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  return ((await answer.json()) as { token: string }).token;
}

async function call(run: Run, userId: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${run.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await tokenFor(run, userId)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON the API answers
  return (await answer.json()) as any;
}

async function openSocket(run: Run, userId: string) {
  const socket = new WebSocket(`${run.wsUrl}?token=${encodeURIComponent(await tokenFor(run, userId))}`);
  const events: Record<string, unknown>[] = [];
  socket.on('message', (data) => events.push(JSON.parse(data.toString()) as Record<string, unknown>));
  socket.on('error', () => undefined);
  await once(socket, 'open');
  return { socket, events };
}

afterAll(async () => {
  // The last run may stop cleanly; any left over is killed.
  await Promise.all(runs.map(crash));
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.env.CHAT_TARGET === 'deployed')('a restart of the local runtime', () => {
  it('shows nobody online who was connected when it stopped, and announces them again when they return', async () => {
    const newUser = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const first = await startRun();
    await call(first, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    const aliceBefore = await openSocket(first, alice);
    const seenBefore = await call(first, bob, 'GET', `/presence?userIds=${alice}`);
    expect(seenBefore.users[0].status).toBe('online');

    await crash(first);
    await once(aliceBefore.socket, 'close');
    const second = await startRun();

    const seenAfter = await call(second, bob, 'GET', `/presence?userIds=${alice}`);
    expect(seenAfter.users).toEqual([{ userId: alice, status: 'offline', lastSeenAt: expect.any(String) }]);
    // Alice coming back is a change again, so Bob hears it.
    const bobSocket = await openSocket(second, bob);
    const aliceAgain = await openSocket(second, alice);
    await expect
      .poll(() => bobSocket.events.filter((e) => e.type === 'presence' && e.userId === alice), {
        timeout: 5_000,
      })
      .toEqual([expect.objectContaining({ status: 'online' })]);
    aliceAgain.socket.close();
    bobSocket.socket.close();
  }, 180_000);
});
