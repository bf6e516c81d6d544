/**
 * The SDK's hand-over before the gateway's maximum connection age, against a local runtime of its own whose
 * WebSocket gateway closes every connection after 6 s (API Gateway: 2 hours). The clients are told the same age,
 * so each opens its next socket 1.5 s or less before the cut-off and moves over; messages sent meanwhile arrive
 * once and in order, the app never sees the connection drop, and contacts see no presence flap.
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
} from '../../client/src/index.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';

const maxConnectionAgeMs = 6_000;
let runtime: LocalRuntime;
const clients: ChatClient[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({
    httpPort: 0,
    wsPort: 0,
    streamPollIntervalMs: 20,
    maxConnectionMs: maxConnectionAgeMs,
  });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await runtime?.stop();
});

interface Device {
  client: ChatClient;
  userId: string;
  delivered: Message[];
  outgoing: OutgoingMessage[];
  statuses: ConnectionStatus[];
  presence: Presence[];
  sockets: WebSocket[];
}

const newUser = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;
const until = (assertion: () => void, timeout = 5_000) => vi.waitFor(assertion, { timeout, interval: 20 });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signIn(userId: string): Promise<Device> {
  const sockets: WebSocket[] = [];
  const client = createChatClient({
    httpUrl: runtime.httpUrl,
    wsUrl: runtime.wsUrl,
    userId,
    getToken: () => runtime.issueToken(userId),
    WebSocket: class extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    },
    maxConnectionAgeMs,
    reconnect: { initialDelayMs: 200, maxDelayMs: 2000 },
  });
  clients.push(client);
  const device: Device = {
    client,
    userId,
    delivered: [],
    outgoing: [],
    statuses: [],
    presence: [],
    sockets,
  };
  client.on('message', (message) => device.delivered.push(message));
  client.on('outgoing', (message) => device.outgoing.push(message));
  client.on('status', (status) => device.statuses.push(status));
  client.on('presence', (presence) => device.presence.push(presence));
  client.connect();
  await until(() => expect(client.status).toBe('open'));
  return device;
}

async function startDirect(userId: string, otherId: string): Promise<string> {
  const answer = await fetch(`${runtime.httpUrl}/conversations`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await runtime.issueToken(userId)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ type: 'direct', memberIds: [otherId] }),
  });
  return ((await answer.json()) as { conversationId: string }).conversationId;
}

async function sendAndWait(device: Device, conversationId: string, body: string): Promise<void> {
  const { clientMessageId } = device.client.send(conversationId, body);
  await until(() =>
    expect(device.outgoing.some((m) => m.clientMessageId === clientMessageId && m.status === 'sent')).toBe(
      true,
    ),
  );
}

describe('the hand-over before the maximum connection age', () => {
  it('moves to the next socket without losing, repeating or reordering a message, and without a presence flap', async () => {
    const [aliceId, bobId] = [newUser('alice'), newUser('bob')];
    // Bob opens it, so his presence is Alice's to see (presence shows only where the user engaged).
    const conversationId = await startDirect(bobId, aliceId);
    const alice = await signIn(aliceId);
    const bob = await signIn(bobId);
    // Presence works here: Alice sees Bob come online once; from now on nothing changes.
    await until(() => expect(alice.presence).toContainEqual(expect.objectContaining({ userId: bobId })));
    expect(alice.presence.map((p) => `${p.userId === bobId ? 'bob' : 'other'} ${p.status}`)).toEqual([
      'bob online',
    ]);
    alice.presence.length = 0;
    bob.presence.length = 0;
    const startedAt = Date.now();

    // Messages from Alice, and a few from Bob, across at least two hand-overs of each client.
    const fromAlice: string[] = [];
    const fromBob: string[] = [];
    for (let n = 1; Date.now() - startedAt < 2.5 * maxConnectionAgeMs; n++) {
      const body = `alice #${n}`;
      fromAlice.push(body);
      await sendAndWait(alice, conversationId, body);
      if (n % 10 === 0) {
        fromBob.push(`bob #${n / 10}`);
        await sendAndWait(bob, conversationId, `bob #${n / 10}`);
      }
      await pause(100);
    }
    const total = fromAlice.length + fromBob.length;
    await until(() => expect(bob.delivered).toHaveLength(total));
    await until(() => expect(alice.delivered).toHaveLength(total));
    await pause(500); // anything late or repeated would arrive now

    for (const device of [alice, bob]) {
      expect(device.delivered.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(new Set(device.delivered.map((m) => m.messageId)).size).toBe(total);
      const bodies = device.delivered.map((m) => m.body);
      expect(bodies.filter((body) => body.startsWith('alice #'))).toEqual(fromAlice);
      expect(bodies.filter((body) => body.startsWith('bob #'))).toEqual(fromBob);
      // Each client handed over at least twice, and the app never saw the connection go.
      expect(device.sockets.length).toBeGreaterThanOrEqual(3);
      expect(device.statuses).toEqual(['connecting', 'open']);
      expect(device.outgoing.filter((m) => m.status === 'failed')).toEqual([]);
    }
    expect(bob.delivered.map((m) => m.messageId)).toEqual(alice.delivered.map((m) => m.messageId));
    // Overlapping sockets: the user's last connection never closed, so no contact heard offline or online.
    expect(alice.presence).toEqual([]);
    // Alice's first message made her presence Bob's to see: he is told once, and nothing flaps after.
    expect(bob.presence.map((p) => `${p.userId === aliceId ? 'alice' : 'other'} ${p.status}`)).toEqual([
      'alice online',
    ]);
    // Each replaced socket was closed by the client (the closing handshake of the latest may still be under
    // way), the newest is the open one.
    await until(() =>
      expect(bob.sockets.slice(0, -1).every((s) => s.readyState === WebSocket.CLOSED)).toBe(true),
    );
    expect(bob.sockets.at(-1)?.readyState).toBe(WebSocket.OPEN);

    // And presence still flows: Bob leaving for real is heard at once.
    bob.client.disconnect();
    await until(() =>
      expect(alice.presence).toEqual([expect.objectContaining({ userId: bobId, status: 'offline' })]),
    );
  }, 60_000);
});
