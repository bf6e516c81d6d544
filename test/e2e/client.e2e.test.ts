import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  type ChatClient,
  type ConnectionStatus,
  createChatClient,
  type Message,
  type OutgoingMessage,
  type ReadEvent,
} from '../../client/src/index.ts';
import { target } from '../support/target.ts';

const t = target();
const clients: ChatClient[] = [];

interface Device {
  client: ChatClient;
  userId: string;
  delivered: Message[];
  outgoing: OutgoingMessage[];
  statuses: ConnectionStatus[];
  /** Every socket this device opened, newest last. */
  sockets: WebSocket[];
}

/** A signed-in SDK client on Node, with `ws` as its WebSocket and a record of what it saw. */
async function signIn(userId: string): Promise<Device> {
  const sockets: WebSocket[] = [];
  const client = createChatClient({
    httpUrl: t.httpUrl,
    wsUrl: t.wsUrl,
    userId,
    getToken: () => t.tokenFor(userId),
    WebSocket: class extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    },
    reconnect: { initialDelayMs: 200, maxDelayMs: 2000 },
  });
  clients.push(client);
  const device: Device = { client, userId, delivered: [], outgoing: [], statuses: [], sockets };
  client.on('message', (message) => device.delivered.push(message));
  client.on('outgoing', (message) => device.outgoing.push(message));
  client.on('status', (status) => device.statuses.push(status));
  client.connect();
  await until(() => expect(client.status).toBe('open'));
  return device;
}

const until = (assertion: () => void, timeout = t.eventTimeoutMs) =>
  vi.waitFor(assertion, { timeout, interval: 20 });
const bodiesIn = (device: Device, conversationId: string) =>
  device.delivered.filter((m) => m.conversationId === conversationId).map((m) => m.body);

/** Sends and waits for the ack, like a user who sees each message go out before typing the next. */
async function sendAndWait(device: Device, conversationId: string, body: string): Promise<void> {
  const { clientMessageId } = device.client.send(conversationId, body);
  await until(() =>
    expect(device.outgoing.some((m) => m.clientMessageId === clientMessageId && m.status === 'sent')).toBe(
      true,
    ),
  );
}

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

describe('the client SDK against the running system', () => {
  it('chats between two users: optimistic send, delivery, typing, unread and read marks', async () => {
    const [aliceId, bobId] = await t.newUsers('alice', 'bob');
    const [alice, bob] = await Promise.all([signIn(aliceId), signIn(bobId)]);
    const conversation = await alice.client.startDirectConversation(bob.userId);
    const { conversationId } = conversation;
    const readMarks: ReadEvent[] = [];
    alice.client.on('read', (event) => readMarks.push(event));

    const pending = alice.client.send(conversationId, 'Hi Bob');
    await until(() => expect(bodiesIn(bob, conversationId)).toEqual(['Hi Bob']));
    bob.client.typing(conversationId);
    await until(() => expect(alice.client.usersTyping(conversationId)).toEqual([bob.userId]));
    const unreadBeforeReading = bob.client.unreadCount(conversationId);
    bob.client.markRead(conversationId);
    bob.client.send(conversationId, 'Hi Alice');
    await until(() => expect(bodiesIn(alice, conversationId)).toEqual(['Hi Bob', 'Hi Alice']));

    expect(pending.status).toBe('pending');
    expect(alice.outgoing.map((m) => m.status)).toEqual(['pending', 'sent']);
    expect(alice.client.usersTyping(conversationId)).toEqual([]);
    expect(unreadBeforeReading).toBe(1);
    expect(bob.client.unreadCount(conversationId)).toBe(0);
    await until(() => expect(readMarks).toContainEqual({ conversationId, userId: bob.userId, seq: 1 }));
    expect(alice.client.unreadTotal).toBe(1);
  });

  it('lists the inbox with unread counts and pages back through history', async () => {
    const [aliceId, bobId] = await t.newUsers('alice', 'bob');
    const [alice, bob] = await Promise.all([signIn(aliceId), signIn(bobId)]);
    const { conversationId } = await alice.client.startGroupConversation('history', [bob.userId]);
    for (let n = 1; n <= 7; n++) await sendAndWait(alice, conversationId, `message ${n}`);

    const inbox = await bob.client.listConversations();
    const history = bob.client.history(conversationId, 3);
    const pages = [await history.loadOlder(), await history.loadOlder(), await history.loadOlder()];

    expect(inbox.items).toContainEqual(
      expect.objectContaining({
        unreadCount: 7,
        lastMessage: expect.objectContaining({ body: 'message 7' }),
      }),
    );
    expect(bob.client.unreadCount(conversationId)).toBe(7);
    expect(pages.map((page) => page.map((m) => m.seq))).toEqual([[5, 6, 7], [2, 3, 4], [1]]);
    expect(history.hasMore).toBe(false);
  });

  it('ends with every message exactly once and in order after its socket is dropped mid-conversation', async () => {
    const [aliceId, bobId, carolId] = await t.newUsers('alice', 'bob', 'carol');
    const [alice, bob, carol] = await Promise.all([signIn(aliceId), signIn(bobId), signIn(carolId)]);
    const { conversationId } = await alice.client.startGroupConversation('busy', [bob.userId, carol.userId]);
    const perSender = 25;

    const sending = [alice, bob].map(async (sender) => {
      for (let n = 1; n <= perSender; n++)
        await sendAndWait(sender, conversationId, `${sender.userId} #${n}`);
    });
    await until(() => expect(carol.delivered.length).toBeGreaterThanOrEqual(5));
    carol.sockets.at(-1)?.terminate();
    await until(() => expect(carol.client.status).not.toBe('open'));
    carol.client.send(conversationId, 'carol, sent while offline');
    await Promise.all(sending);
    const total = 2 * perSender + 1;
    await until(() => expect(carol.delivered).toHaveLength(total), 15_000);
    await until(() => expect(alice.delivered).toHaveLength(total), 15_000);

    const seqs = carol.delivered.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(carol.delivered.map((m) => m.messageId)).size).toBe(total);
    expect(carol.delivered.map((m) => m.messageId)).toEqual(alice.delivered.map((m) => m.messageId));
    const everyBody = [alice, bob].flatMap((s) =>
      Array.from({ length: perSender }, (_, i) => `${s.userId} #${i + 1}`),
    );
    expect([...bodiesIn(carol, conversationId)].sort()).toEqual(
      [...everyBody, 'carol, sent while offline'].sort(),
    );
    for (const sender of [alice, bob]) {
      const own = bodiesIn(carol, conversationId).filter((body) => body.startsWith(`${sender.userId} #`));
      expect(own).toEqual(everyBody.filter((body) => body.startsWith(`${sender.userId} #`)));
    }
    expect(carol.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('marks a send the server rejects as failed with its code', async () => {
    const [aliceId, bobId] = await t.newUsers('alice', 'bob');
    const alice = await signIn(aliceId);
    const { conversationId } = await alice.client.startDirectConversation(bobId);

    const { clientMessageId } = alice.client.send(conversationId, 'x'.repeat(5000));

    await until(() =>
      expect(alice.outgoing.at(-1)).toMatchObject({
        clientMessageId,
        status: 'failed',
        error: { code: 'payload_too_large' },
      }),
    );
  });
});
