/**
 * The SDK renews its token before `exp`, against a local runtime of its own whose token endpoint issues 8-second
 * tokens (`expiresInSeconds`). Two clients chat for 20 s, across several renewals each: every socket is moved
 * off (a hand-over with a fresh token) before its token expires, every message arrives once and in order, the
 * app never sees the connection drop, and contacts see no presence flap.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  type ChatClient,
  type ConnectionStatus,
  createChatClient,
  type Message,
  type OutgoingMessage,
  type Presence,
  type TokenRequest,
} from '../../client/src/index.ts';
import { tokenExpiresAt } from '../../client/src/token.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';

const tokenSeconds = 8;
let runtime: LocalRuntime;
const clients: ChatClient[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({ httpPort: 0, wsPort: 0, streamPollIntervalMs: 20 });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await runtime?.stop();
});

const newUser = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;
const until = (assertion: () => void, timeout = 5_000) => vi.waitFor(assertion, { timeout, interval: 20 });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function requestToken(body: unknown): Promise<{ status: number; token?: string; code?: string }> {
  const answer = await fetch(`${runtime.httpUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await answer.json()) as { token?: string; error?: { code: string } };
  return { status: answer.status, token: json.token, code: json.error?.code };
}

async function startDirect(userId: string, otherId: string): Promise<string> {
  const { token } = await requestToken({ userId });
  const answer = await fetch(`${runtime.httpUrl}/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'direct', memberIds: [otherId] }),
  });
  return ((await answer.json()) as { conversationId: string }).conversationId;
}

interface SocketRecord {
  expiresAt: number;
  closedAt?: number;
}

interface Device {
  client: ChatClient;
  delivered: Message[];
  outgoing: OutgoingMessage[];
  statuses: ConnectionStatus[];
  presence: Presence[];
  sockets: SocketRecord[];
  tokenRequests: TokenRequest[];
}

async function signIn(userId: string): Promise<Device> {
  const sockets: SocketRecord[] = [];
  const tokenRequests: TokenRequest[] = [];
  const client = createChatClient({
    httpUrl: runtime.httpUrl,
    wsUrl: runtime.wsUrl,
    userId,
    getToken: async (request) => {
      tokenRequests.push(request);
      const { token } = await requestToken({ userId, expiresInSeconds: tokenSeconds });
      if (!token) throw new Error('no token');
      return token;
    },
    WebSocket: class extends WebSocket {
      constructor(url: string) {
        super(url);
        const token = new URL(url).searchParams.get('token') ?? '';
        const record: SocketRecord = { expiresAt: tokenExpiresAt(token) ?? 0 };
        sockets.push(record);
        this.on('close', () => {
          record.closedAt = Date.now();
        });
      }
    },
    reconnect: { initialDelayMs: 200, maxDelayMs: 2000 },
  });
  clients.push(client);
  const device: Device = {
    client,
    delivered: [],
    outgoing: [],
    statuses: [],
    presence: [],
    sockets,
    tokenRequests,
  };
  client.on('message', (message) => device.delivered.push(message));
  client.on('outgoing', (message) => device.outgoing.push(message));
  client.on('status', (status) => device.statuses.push(status));
  client.on('presence', (presence) => device.presence.push(presence));
  client.connect();
  await until(() => expect(client.status).toBe('open'));
  return device;
}

async function sendAndWait(device: Device, conversationId: string, body: string): Promise<void> {
  const { clientMessageId } = device.client.send(conversationId, body);
  await until(() =>
    expect(device.outgoing.some((m) => m.clientMessageId === clientMessageId && m.status === 'sent')).toBe(
      true,
    ),
  );
}

describe('the local token endpoint', () => {
  it('issues a token for the lifetime asked, 1 s to 24 h, and refuses any other', async () => {
    const issued = await requestToken({ userId: 'alice', expiresInSeconds: tokenSeconds });
    const claims = JSON.parse(Buffer.from(issued.token?.split('.')[1] ?? '', 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(tokenSeconds);
    const byDefault = await requestToken({ userId: 'alice' });
    expect((tokenExpiresAt(byDefault.token ?? '') ?? 0) - Date.now()).toBeGreaterThan(11.9 * 3600_000);

    for (const expiresInSeconds of [0, 86_401, 1.5, '8', null])
      expect(await requestToken({ userId: 'alice', expiresInSeconds })).toEqual({
        status: 400,
        token: undefined,
        code: 'validation_failed',
      });
    expect((await requestToken({ userId: 'alice', expiresInSeconds: 86_400 })).status).toBe(200);
  });
});

describe('renewing 8-second tokens', () => {
  it('moves to fresh tokens before each expires, without losing, repeating or reordering a message, or a presence flap', async () => {
    const [aliceId, bobId] = [newUser('alice'), newUser('bob')];
    // Bob opens it, so his presence is Alice's to see (presence shows only where the user engaged).
    const conversationId = await startDirect(bobId, aliceId);
    const alice = await signIn(aliceId);
    const bob = await signIn(bobId);
    await until(() => expect(alice.presence).toContainEqual(expect.objectContaining({ userId: bobId })));
    expect(alice.presence.map((p) => `${p.userId === bobId ? 'bob' : 'other'} ${p.status}`)).toEqual([
      'bob online',
    ]);
    alice.presence.length = 0;
    bob.presence.length = 0;
    const startedAt = Date.now();

    const fromAlice: string[] = [];
    const fromBob: string[] = [];
    for (let n = 1; Date.now() - startedAt < 20_000; n++) {
      fromAlice.push(`alice #${n}`);
      await sendAndWait(alice, conversationId, `alice #${n}`);
      if (n % 5 === 0) {
        fromBob.push(`bob #${n / 5}`);
        await sendAndWait(bob, conversationId, `bob #${n / 5}`);
      }
      await pause(300); // under the 120 sends a minute per user
    }
    const total = fromAlice.length + fromBob.length;
    await until(() => expect(bob.delivered).toHaveLength(total));
    await until(() => expect(alice.delivered).toHaveLength(total));
    await pause(500); // anything late or repeated would arrive now

    for (const device of [alice, bob]) {
      // In seq order. A send retried on the new socket while its first try is still reserving may leave an
      // empty seq (a hole, README "The message path"): order and each message once are the promise.
      const seqs = device.delivered.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs.at(-1)).toBeLessThanOrEqual(total + 2);
      expect(new Set(device.delivered.map((m) => m.messageId)).size).toBe(total);
      const bodies = device.delivered.map((m) => m.body);
      expect(bodies.filter((body) => body.startsWith('alice #'))).toEqual(fromAlice);
      expect(bodies.filter((body) => body.startsWith('bob #'))).toEqual(fromBob);
      expect(device.statuses).toEqual(['connecting', 'open']);
      expect(device.outgoing.filter((m) => m.status === 'failed')).toEqual([]);
      // Several renewals, each asking the provider for a fresh token, each socket off before its token's exp.
      expect(device.sockets.length).toBeGreaterThanOrEqual(3);
      const socketRequests = device.tokenRequests.filter((request) => request.forceRefresh);
      expect(socketRequests.length).toBeGreaterThanOrEqual(device.sockets.length - 1);
      const retired = device.sockets.slice(0, -1);
      for (const socket of retired) expect(socket.closedAt).toBeLessThan(socket.expiresAt);
      expect(device.sockets.at(-1)?.closedAt).toBeUndefined();
      const expiries = device.sockets.map((s) => s.expiresAt);
      expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    }
    expect(bob.delivered.map((m) => m.messageId)).toEqual(alice.delivered.map((m) => m.messageId));
    expect(alice.presence).toEqual([]);
    // Alice's first message made her presence Bob's to see: he is told once, and nothing flaps after.
    expect(bob.presence.map((p) => `${p.userId === aliceId ? 'alice' : 'other'} ${p.status}`)).toEqual([
      'alice online',
    ]);
    // The HTTP API still answers with the current token (the first one expired long ago).
    expect((await alice.client.listConversations()).items.length).toBeGreaterThan(0);
  }, 60_000);
});
