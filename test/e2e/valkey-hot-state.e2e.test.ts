/**
 * `npm run dev` with `CHAT_HOT_STATE=valkey`, through the public protocol: the runtime runs a real Valkey server,
 * typing reaches the other member through it, the send rate limit counted there refuses past its limit, and a
 * SIGINT stops the server with the runtime. Local only: a deployed stack keeps its hot state in DynamoDB for now.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { Valkey } from 'iovalkey';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DevRun, devRunTarget, killDevRun, spawnDevRun } from '../support/dev-process.ts';
import { api, socketPool, type Target } from '../support/target.ts';

const limit = 3;
const local = process.env.CHAT_TARGET !== 'deployed';

let run: DevRun;
let t: Target;
let pool: ReturnType<typeof socketPool>;
/** The run's Valkey server, as its ready line names it. */
let valkeyUrl: string;

beforeAll(async () => {
  if (!local) return;
  run = await spawnDevRun({ CHAT_HOT_STATE: 'valkey', SEND_RATE_PER_MINUTE: String(limit) }).ready;
  valkeyUrl = /hot state on Valkey (\S+)/.exec(run.output())?.[1] ?? '';
  t = devRunTarget(run);
  pool = socketPool(t);
}, 120_000);

afterAll(async () => {
  await pool?.closeAll();
  if (run) await killDevRun(run.child);
});

/** What holds this key pattern in the run's Valkey server. */
async function valkeyKeys(pattern: string): Promise<string[]> {
  const client = new Valkey(valkeyUrl);
  try {
    return await client.keys(pattern);
  } finally {
    client.disconnect();
  }
}

/** Command lines of the machine's Valkey or Redis servers on that port. */
const serversOn = (port: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /(valkey|redis)-server/.test(line) && line.includes(`:${port}`));

describe.skipIf(!local)('hot state on Valkey', () => {
  it('delivers typing to the other member, the signal held in Valkey', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const direct = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    const conversationId = direct.body.conversationId as string;
    const [aliceSocket, bobSocket] = [await pool.open(alice), await pool.open(bob)];

    aliceSocket.send({ action: 'typing', conversationId });

    expect(await bobSocket.waitFor((e) => e.type === 'typing' && e.isTyping === true)).toMatchObject({
      conversationId,
      userId: alice,
    });
    expect(await valkeyKeys(`typing#${conversationId}#*`)).toHaveLength(1);
  });

  it('refuses sends past the per-minute limit with rate_limited, counted in Valkey', async () => {
    const [fast, peer] = await t.newUsers('fast', 'peer');
    const direct = await api(t, fast, 'POST', '/conversations', { type: 'direct', memberIds: [peer] });
    const socket = await pool.open(fast);
    // 2 × limit + 1 sends put more than the limit into one clock minute, even if the minute turns meanwhile.
    const ids = Array.from({ length: 2 * limit + 1 }, (_, i) => `send-${i}`);

    const answers = await socket.sendEach(direct.body.conversationId, ids);

    expect(answers.filter((a) => a.type === 'error' && a.code === 'rate_limited').length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.type === 'message.ack').length).toBeLessThanOrEqual(2 * limit);
    expect(await valkeyKeys(`rate#${fast}#send#*`)).not.toEqual([]);
  });

  it('stops its Valkey server on SIGINT: nothing is left listening or running', async () => {
    const port = new URL(valkeyUrl).port;
    expect(serversOn(port)).toHaveLength(1);

    // The dev process alone (not its process group, as a terminal's Ctrl-C would): its own shutdown must stop it.
    const exited = once(run.child, 'exit');
    run.child.kill('SIGINT');
    await exited;

    // Its shutdown stops the server; or, when tsx kills a child slow to acknowledge the signal, the kernel does.
    await vi.waitFor(() => expect(serversOn(port)).toEqual([]), { timeout: 3_000 });
    const probe = new Valkey(valkeyUrl, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    await expect(probe.connect()).rejects.toThrow();
  });
});
