/**
 * Reports, moderation and their typed errors through the SDK, on a run of its own with `CONTENT_FILTER_WORDS`:
 * a member reports a message, a moderator lists, removes and resolves it (every member's client hears of the
 * removal), a send with a listed word fails with ContentRejectedError and is not sent again, and a suspended
 * user's client gets a SuspendedError and stops rather than reconnecting, also when it starts suspended.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  ChatApiError,
  type ChatClient,
  ContentRejectedError,
  createChatClient,
  type MessageDeletedEvent,
  type OutgoingMessage,
  type ServerError,
  SuspendedError,
} from '../../client/src/index.ts';
import { type DevRun, devRunTarget, killDevRun, spawnDevRun } from '../support/dev-process.ts';
import type { Target } from '../support/target.ts';

const local = process.env.CHAT_TARGET !== 'deployed';

let run: DevRun;
let t: Target;
const clients: ChatClient[] = [];

beforeAll(async () => {
  if (!local) return;
  run = await spawnDevRun({ CONTENT_FILTER_WORDS: 'spam' }).ready;
  t = devRunTarget(run);
}, 120_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  if (run) await killDevRun(run.child);
});

interface Device {
  client: ChatClient;
  outgoing: OutgoingMessage[];
  deleted: MessageDeletedEvent[];
  errors: ServerError[];
  /** Every socket the client opened or tried to: a reconnect storm shows here. */
  sockets: WebSocket[];
}

/** An SDK client on Node with what it saw; reconnects fast (200 ms), so retrying in a loop would show. */
function device(userId: string): Device {
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
    reconnect: { initialDelayMs: 200, maxDelayMs: 400 },
  });
  clients.push(client);
  const seen: Device = { client, outgoing: [], deleted: [], errors: [], sockets };
  client.on('outgoing', (message) => seen.outgoing.push(message));
  client.on('message.deleted', (event) => seen.deleted.push(event));
  client.on('error', (error) => seen.errors.push(error));
  return seen;
}

async function online(userId: string): Promise<Device> {
  const signedIn = device(userId);
  signedIn.client.connect();
  await until(() => expect(signedIn.client.status).toBe('open'));
  return signedIn;
}

const until = (assertion: () => void) => vi.waitFor(assertion, { timeout: 5_000, interval: 20 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Sends and waits until the send settles (sent or failed). */
async function settled(sender: Device, conversationId: string, body: string): Promise<OutgoingMessage> {
  const { clientMessageId } = sender.client.send(conversationId, body);
  let last: OutgoingMessage | undefined;
  await until(() => {
    last = sender.outgoing.findLast((m) => m.clientMessageId === clientMessageId);
    expect(last?.status).toMatch(/^(sent|failed)$/);
  });
  return last as OutgoingMessage;
}

describe.skipIf(!local)('reports and moderation through the SDK', () => {
  it('a member reports a message; a moderator finds it, removes it for everyone and resolves it', async () => {
    const [aliceId, bobId] = await t.newUsers('alice', 'bob');
    const moderatorId = await t.newModerator('moderator');
    const [alice, bob] = await Promise.all([online(aliceId), online(bobId)]);
    const moderator = device(moderatorId);
    const { conversationId } = await alice.client.startGroupConversation('g', [bobId]);
    const sent = await settled(alice, conversationId, 'buy cheap watches');
    const messageId = sent.message?.messageId as string;

    const report = await bob.client.reportMessage(conversationId, messageId, {
      reason: 'abuse',
      note: 'ads',
    });
    expect(await bob.client.reportMessage(conversationId, messageId, { reason: 'spam' })).toEqual(report);
    const notModerator = await rejection(bob.client.moderation.listReports());
    expect(notModerator).toBeInstanceOf(ChatApiError);
    expect(notModerator).toMatchObject({ status: 403, code: 'forbidden' });

    const open = await moderator.client.moderation.listReports({ status: 'open', limit: 100 });
    // Listed grouped per message (under the group's id, not the reporter's).
    const listed = open.items.find((item) => item.messageId === messageId);
    expect(listed).toMatchObject({
      reportedUserId: aliceId,
      reporterCount: 1,
      reasons: ['abuse'],
      message: { body: 'buy cheap watches' },
    });
    await moderator.client.moderation.removeMessage(conversationId, messageId, 'advertising');
    for (const member of [alice, bob]) {
      await until(() =>
        expect(member.deleted).toContainEqual(expect.objectContaining({ messageId, removedBy: 'moderator' })),
      );
    }
    await moderator.client.moderation.resolveReport(listed?.reportId as string, 'removed');
    const after = await moderator.client.moderation.listReports({ status: 'open', limit: 100 });
    expect(after.items.map((item) => item.messageId)).not.toContain(messageId);
  });

  it('a send with a listed word fails with ContentRejectedError and is not sent again; an edit to one throws it', async () => {
    const [aliceId, bobId] = await t.newUsers('alice', 'bob');
    const alice = await online(aliceId);
    const { conversationId } = await alice.client.startDirectConversation(bobId);

    const refused = await settled(alice, conversationId, 'cheap spam here');
    expect(refused.status).toBe('failed');
    expect(refused.error).toBeInstanceOf(ContentRejectedError);
    expect(alice.client.retry(refused.clientMessageId)).toBeUndefined();
    const clean = await settled(alice, conversationId, 'hello');
    expect(clean.message?.seq).toBe(1);
    const edit = await rejection(
      alice.client.api.editMessage(conversationId, clean.message?.messageId as string, 'spam'),
    );
    expect(edit).toBeInstanceOf(ContentRejectedError);
    // Nothing of the refused send went out again, on this socket or another.
    await sleep(500);
    expect(alice.outgoing.filter((m) => m.clientMessageId === refused.clientMessageId)).toHaveLength(2);
    expect(alice.sockets).toHaveLength(1);
  });

  it('a suspended user’s client gets a SuspendedError and stops: no reconnect loop, also when starting suspended', async () => {
    const [bobId] = await t.newUsers('bob');
    const moderator = device(await t.newModerator('moderator'));
    const bob = await online(bobId);

    await moderator.client.moderation.suspendUser(bobId, { reason: 'spam' });
    await until(() => expect(bob.client.status).toBe('offline'));
    // At 200-400 ms between attempts, a client that kept trying would have opened a dozen sockets by now.
    await sleep(3000);
    expect(bob.sockets).toHaveLength(1);
    expect(bob.errors).toHaveLength(1);
    expect(bob.errors[0]).toBeInstanceOf(SuspendedError);
    expect(await rejection(bob.client.listConversations())).toBeInstanceOf(SuspendedError);

    // A device that starts while the user is suspended is refused at $connect, asks once and stops.
    const laptop = device(bobId);
    laptop.client.connect();
    await until(() => expect(laptop.errors.map((e) => e instanceof SuspendedError)).toEqual([true]));
    await sleep(3000);
    // The first retry (after 100-200 ms) may start before that HTTP answer; none comes after it.
    expect(laptop.sockets.length).toBeLessThanOrEqual(2);
    expect(laptop.client.status).toBe('offline');

    await moderator.client.moderation.liftSuspension(bobId);
    laptop.client.connect();
    await until(() => expect(laptop.client.status).toBe('open'));
  });
});
