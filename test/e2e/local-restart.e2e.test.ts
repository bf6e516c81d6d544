/**
 * The local runtime restarted on a kept data folder (`CHAT_DATA_DIR`), as `npm run dev` runs it: no socket
 * survives a restart, so nobody may be shown online until they connect again. Each run is a real `npm run dev`
 * process; the first one is killed (SIGKILL, its DynamoDB Local too), so no `$disconnect` runs.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DevRun, devRunToken, killDevRun, spawnDevRun } from '../support/dev-process.ts';

type Run = DevRun;

const dataDir = mkdtempSync(join(tmpdir(), 'chat-restart-'));
const runs: Run[] = [];

/** Starts `npm run dev` on the kept data folder. */
async function startRun(): Promise<Run> {
  const { ready } = spawnDevRun({ CHAT_DATA_DIR: dataDir });
  const run = await ready;
  runs.push(run);
  return run;
}

const crash = (run: Run) => killDevRun(run.child);
const tokenFor = devRunToken;

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

    // Listen first: the socket may close before the kill is seen to be done.
    const aliceCut = once(aliceBefore.socket, 'close');
    await crash(first);
    await aliceCut;
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
