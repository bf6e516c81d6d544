/**
 * `npm run dev` with `CHAT_HOT_STATE=valkey`, through the public protocol: the runtime runs a real Valkey server,
 * connections and presence are kept there (and not in DynamoDB) while delivery and presence events work as ever,
 * member lists are shared there and a removed member gets nothing once the removal is answered, typing reaches the other member through it, the send rate limit counted there refuses past its limit, and a
 * SIGINT stops the server with the runtime. Local only: it looks into the run's Valkey server and table.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Valkey } from 'iovalkey';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys } from '../../shared/store/keys.ts';
import { type DevRun, devRunTarget, killDevRun, spawnDevRun } from '../support/dev-process.ts';
import { api, eventually, socketPool, type Target } from '../support/target.ts';

const limit = 3;
const local = process.env.CHAT_TARGET !== 'deployed';

let run: DevRun;
let t: Target;
let pool: ReturnType<typeof socketPool>;
/** The run's Valkey server and DynamoDB Local, as its ready line names them. */
let valkeyUrl: string;
let dynamoDbEndpoint: string;

beforeAll(async () => {
  if (!local) return;
  run = await spawnDevRun({ CHAT_HOT_STATE: 'valkey', SEND_RATE_PER_MINUTE: String(limit) }).ready;
  valkeyUrl = /hot state on Valkey (\S+)/.exec(run.output())?.[1] ?? '';
  dynamoDbEndpoint = /DynamoDB (\S+)/.exec(run.output())?.[1] ?? '';
  t = devRunTarget(run);
  pool = socketPool(t);
}, 120_000);

afterAll(async () => {
  await pool?.closeAll();
  if (run) await killDevRun(run.child);
});

/** Asks the run's Valkey server, on a connection of its own. */
async function inValkey<T>(ask: (client: Valkey) => Promise<T>): Promise<T> {
  const client = new Valkey(valkeyUrl);
  try {
    return await ask(client);
  } finally {
    client.disconnect();
  }
}

const valkeyKeys = (pattern: string) => inValkey((client) => client.keys(pattern));

/** The user's presence item in the run's table (`chat-local`, the runtime's default), if one was written. */
async function presenceItemOf(userId: string) {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamoDbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  try {
    const answer = await documents.send(
      new GetCommand({ TableName: 'chat-local', Key: keys.presence(userId), ConsistentRead: true }),
    );
    return answer.Item;
  } finally {
    documents.destroy();
  }
}

/** Command lines of the machine's Valkey or Redis servers on that port. */
const serversOn = (port: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /(valkey|redis)-server/.test(line) && line.includes(`:${port}`));

describe.skipIf(!local)('hot state on Valkey', () => {
  it('keeps connections and presence in Valkey, none in DynamoDB; presence events and delivery work', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const direct = await api(t, bob, 'POST', '/conversations', { type: 'direct', memberIds: [alice] });
    const conversationId = direct.body.conversationId as string;
    const aliceSocket = await pool.open(alice);

    const bobSocket = await pool.open(bob);
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'online');
    const bobSessions = `sessions#${bob}`;
    expect(Object.keys(await inValkey((c) => c.hgetall(bobSessions)))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^conn:/), 'lastSeenAt']),
    );
    // The hash expires by itself (ElastiCache Serverless tells nobody of an expiry; nothing waits for one).
    expect(await inValkey((c) => c.pttl(bobSessions))).toBeGreaterThan(0);
    // When each connection's token expires is there too, for the sweep that closes them.
    expect(await inValkey((c) => c.zcard('{connexp}times'))).toBeGreaterThanOrEqual(2);

    aliceSocket.send({ action: 'sendMessage', conversationId, clientMessageId: 'hi', body: 'hello' });
    expect(await bobSocket.waitFor((e) => e.type === 'message.new')).toMatchObject({
      message: { conversationId, body: 'hello' },
    });
    expect((await api(t, alice, 'GET', `/presence?userIds=${bob}`)).body.users[0].status).toBe('online');
    expect(await presenceItemOf(bob)).toBeUndefined();
    expect(await presenceItemOf(alice)).toBeUndefined();

    await bobSocket.close();
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'offline');
    await eventually(async () =>
      expect(Object.keys(await inValkey((c) => c.hgetall(bobSessions)))).toEqual(['lastSeenAt']),
    );
  });

  it('answers presence from Valkey: a connection forgotten there is offline at once', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    await api(t, bob, 'POST', '/conversations', { type: 'direct', memberIds: [alice] });
    await pool.open(bob);
    expect((await api(t, alice, 'GET', `/presence?userIds=${bob}`)).body.users[0].status).toBe('online');

    await inValkey((c) => c.del(`sessions#${bob}`));

    expect((await api(t, alice, 'GET', `/presence?userIds=${bob}`)).body.users[0]).toEqual({
      userId: bob,
      status: 'offline',
      lastSeenAt: null,
    });
  });

  it('shares the member list in Valkey, and delivers nothing to a member removed once the removal is answered', async () => {
    const [ada, bob, cy] = await t.newUsers('ada', 'bob', 'cy');
    const created = await api(t, ada, 'POST', '/conversations', {
      type: 'group',
      name: 'g',
      memberIds: [bob, cy],
    });
    const conversationId = created.body.conversationId as string;
    const [adaSocket, bobSocket, cySocket] = [
      await pool.open(ada),
      await pool.open(bob),
      await pool.open(cy),
    ];
    const send = (clientMessageId: string) =>
      adaSocket.send({ action: 'sendMessage', conversationId, clientMessageId, body: clientMessageId });
    const arrived = (body: string) => (e: Record<string, unknown>) =>
      e.type === 'message.new' && (e.message as { body?: string }).body === body;

    send('before');
    await bobSocket.waitFor(arrived('before'));
    expect(await valkeyKeys(`members#${conversationId}`)).toHaveLength(1);

    expect((await api(t, ada, 'DELETE', `/conversations/${conversationId}/members/${bob}`)).status).toBe(204);
    send('after');

    // Bob's copy, had the stale list been used, would have gone out in the same fan-out as cy's.
    await cySocket.waitFor(arrived('after'));
    expect(bobSocket.ofType('message.new').map((e) => (e.message as { body: string }).body)).toEqual([
      'before',
    ]);
  });

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
