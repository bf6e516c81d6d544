import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatContext } from '../../shared/domain/context.ts';
import { createConversation, listInbox } from '../../shared/domain/conversations.ts';
import { fanOut } from '../../shared/domain/fan-out.ts';
import { limits } from '../../shared/domain/limits.ts';
import { deleteMessage, editMessage, listMessages, sendMessage } from '../../shared/domain/messaging.ts';
import type { MessageRepository } from '../../shared/domain/ports.ts';
import { connect } from '../../shared/domain/presence.ts';
import { getUnread } from '../../shared/domain/read-state.ts';
import { createTestChat, type TestChat } from '../support/chat-context.ts';

let chat: TestChat;
let ctx: ChatContext;
beforeAll(async () => {
  chat = await createTestChat({ settings: streamOnly });
  ctx = chat.ctx;
});

const group = async (admin: string, members: string[]) =>
  (await createConversation(ctx, { userId: admin, input: { type: 'group', name: 'g', memberIds: members } }))
    .conversation.conversationId;
const send = (
  userId: string,
  conversationId: string,
  clientMessageId: string,
  body = `body ${clientMessageId}`,
) => sendMessage(ctx, { userId, conversationId, clientMessageId, body });
/** Every message goes through the stream fan-out here (threshold 0); the send's own delivery is tested beside. */
const streamOnly = { directDeliveryMaxConnections: 0 };
/** Runs the stream consumer's effects for stored messages, as the stream would. */
const deliver = async (conversationId: string, seqs: number[], context = ctx) => {
  const page = await context.messages.page({ conversationId, limit: 100, after: 0 });
  const changes = page.items
    .filter((m) => seqs.includes(m.seq))
    .map((message) => ({
      id: `${message.conversationId}/${message.seq}`,
      kind: 'new' as const,
      message,
      membersVersion: 1,
    }));
  return fanOut(context, changes);
};

/** The context with some of its message store's calls replaced. */
const withMessages = (context: ChatContext, calls: Partial<MessageRepository>): ChatContext => ({
  ...context,
  messages: Object.assign(Object.create(context.messages) as MessageRepository, calls),
});

describe('sending messages', () => {
  it('gives concurrent senders distinct consecutive seqs with no gaps', async () => {
    const senders = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const conversationId = await group('s0', senders.slice(1));

    const results = await Promise.all(
      senders.flatMap((userId) => [1, 2, 3].map((n) => send(userId, conversationId, `${userId}-${n}`))),
    );

    const seqs = results.map((r) => r.message.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    const history = await listMessages(ctx, { userId: 's0', conversationId, ...{ limit: 100, after: 0 } });
    expect(history.items.map((m) => m.seq)).toEqual(seqs);
  });

  it('stores one message for concurrent sends with the same clientMessageId', async () => {
    const conversationId = await group('alice', ['bob']);

    const results = await Promise.all(
      Array.from({ length: 8 }, () => send('alice', conversationId, 'same-id', 'once')),
    );

    expect(new Set(results.map((r) => r.message.messageId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    // Only one of them took a seq: the next message follows it without a hole.
    expect((await send('bob', conversationId, 'next')).message.seq).toBe(2);
    const history = await listMessages(ctx, { userId: 'bob', conversationId, limit: 10, after: 0 });
    expect(history.items.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('leaves no hole when a retry races its first try: the retry answers the first try’s message', async () => {
    const conversationId = await group('alice', ['bob']);
    let releaseFirst = () => {};
    const firstMayRecord = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let releaseStore = () => {};
    const firstMayStore = new Promise<void>((resolve) => {
      releaseStore = resolve;
    });
    let recordings = 0;
    let stores = 0;
    // The first try is held between its seq reservation and its intent, and again before it stores the
    // message, as a slow function would be.
    const held = withMessages(ctx, {
      recordIntent: async (intent) => {
        if (recordings++ === 0) await firstMayRecord;
        return ctx.messages.recordIntent(intent);
      },
      store: async (stored) => {
        stores += 1;
        await firstMayStore;
        return ctx.messages.store(stored);
      },
    });

    const first = sendMessage(held, { userId: 'alice', conversationId, clientMessageId: 'r', body: 'once' });
    await vi.waitFor(() => expect(recordings).toBe(1));
    const retry = sendMessage(held, { userId: 'alice', conversationId, clientMessageId: 'r', body: 'once' });
    setTimeout(releaseFirst, 50);
    setTimeout(releaseStore, 200);
    const [a, b] = await Promise.all([first, retry]);
    const next = await send('bob', conversationId, 'after');

    expect([a.created, b.created]).toEqual([true, false]);
    // The retry waited for the first try's own store instead of storing the message for the stream to deliver
    // again.
    expect(stores).toBe(1);
    expect(b.message).toEqual(a.message);
    expect(next.message.seq).toBe(2);
    const history = await listMessages(ctx, { userId: 'bob', conversationId, limit: 10, after: 0 });
    expect(history.items.map((m) => [m.seq, m.body])).toEqual([
      [1, 'once'],
      [2, 'body after'],
    ]);
  });

  it('takes a new seq for a retry whose first try died between its reservation and its intent', async () => {
    const conversationId = await group('alice', ['bob']);
    const dying = withMessages(ctx, {
      recordIntent: async () => {
        throw new Error('the function died');
      },
    });
    await expect(
      sendMessage(dying, { userId: 'alice', conversationId, clientMessageId: 'd', body: 'again' }),
    ).rejects.toThrow('the function died');

    const retry = await send('alice', conversationId, 'd', 'again');

    // Seq 1 stays a hole (README, "Holes"); the retry is stored, once, after it.
    expect(retry).toMatchObject({ created: true, message: { seq: 2, body: 'again' } });
    const history = await listMessages(ctx, { userId: 'bob', conversationId, limit: 10 });
    expect(history.items.map((m) => m.seq)).toEqual([2]);
  });

  it('lets two users reuse a clientMessageId independently', async () => {
    const conversationId = await group('alice', ['bob']);
    const [a, b] = [await send('alice', conversationId, 'x'), await send('bob', conversationId, 'x')];
    expect(a.message.messageId).not.toBe(b.message.messageId);
  });

  it('refuses an empty or oversized body without storing anything', async () => {
    const conversationId = await group('alice', ['bob']);
    await expect(send('alice', conversationId, 'e', '   ')).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(send('alice', conversationId, 'big', 'x'.repeat(4097))).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    expect((await listMessages(ctx, { userId: 'alice', conversationId, ...{ limit: 10 } })).items).toEqual(
      [],
    );
  });

  it('keeps a soft-deleted message in its place without its body, and lets only the author change it', async () => {
    const conversationId = await group('alice', ['bob']);
    const { message } = await send('alice', conversationId, 'm1');
    await send('bob', conversationId, 'm2');

    await expect(
      editMessage(ctx, { userId: 'bob', conversationId, messageId: message.messageId, body: 'hijack' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const edited = await editMessage(ctx, {
      userId: 'alice',
      conversationId,
      messageId: message.messageId,
      body: 'edited',
    });
    await deleteMessage(ctx, { userId: 'alice', conversationId, messageId: message.messageId });

    expect(edited.body).toBe('edited');
    const history = await listMessages(ctx, { userId: 'bob', conversationId, ...{ limit: 10, after: 0 } });
    expect(history.items[0]).toMatchObject({ seq: 1, body: '', deletedAt: expect.any(String) });
    expect(history.items[1]).toMatchObject({ seq: 2 });
    // The send's intent kept a copy of the message: the deletion reached it too.
    const intent = await ctx.messages.findIntent({
      conversationId,
      senderId: 'alice',
      clientMessageId: 'm1',
      consistent: true,
    });
    expect(intent?.message).toMatchObject({ body: '', deletedAt: expect.any(String) });
  });
});

describe('direct conversations', () => {
  it('creates one conversation when both users create it at the same moment', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0
          ? createConversation(ctx, { userId: 'dm-a', input: { type: 'direct', memberIds: ['dm-b'] } })
          : createConversation(ctx, { userId: 'dm-b', input: { type: 'direct', memberIds: ['dm-a'] } }),
      ),
    );
    expect(new Set(results.map((r) => r.conversation.conversationId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});

describe('history pages', () => {
  it('answers an empty page for a conversation without messages', async () => {
    const conversationId = await group('alice', ['bob']);
    expect(await listMessages(ctx, { userId: 'alice', conversationId, ...{ limit: 5 } })).toEqual({
      items: [],
      hasMore: false,
    });
  });

  it('pages newest first with before and oldest first with after, with hasMore exact at the edges', async () => {
    const conversationId = await group('alice', ['bob']);
    for (let n = 1; n <= 5; n++) await send('alice', conversationId, `p${n}`);

    const exactlyOnePage = await listMessages(ctx, { userId: 'bob', conversationId, ...{ limit: 5 } });
    const newest = await listMessages(ctx, { userId: 'bob', conversationId, ...{ limit: 2 } });
    const older = await listMessages(ctx, { userId: 'bob', conversationId, ...{ limit: 2, before: 4 } });
    const last = await listMessages(ctx, { userId: 'bob', conversationId, ...{ limit: 2, before: 2 } });
    const after = await listMessages(ctx, { userId: 'bob', conversationId, ...{ limit: 3, after: 2 } });

    expect(exactlyOnePage.items.map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(exactlyOnePage.hasMore).toBe(false);
    expect([newest.items.map((m) => m.seq), newest.hasMore]).toEqual([[5, 4], true]);
    expect([older.items.map((m) => m.seq), older.hasMore]).toEqual([[3, 2], true]);
    expect([last.items.map((m) => m.seq), last.hasMore]).toEqual([[1], false]);
    expect([after.items.map((m) => m.seq), after.hasMore]).toEqual([[3, 4, 5], false]);
  });
});

describe('inbox and unread counts', () => {
  it('orders the inbox by latest activity with exact unread counts that ignore the user’s own messages', async () => {
    const first = await group('reader', ['w1']);
    const second = await group('reader', ['w2']);
    const third = await group('reader', ['w3']);
    await send('w1', first, 'a');
    await send('w1', first, 'b');
    await send('reader', second, 'mine');
    await send('w3', third, 'c');
    await deliver(first, [1, 2]);
    await deliver(second, [1]);
    await deliver(third, [1]);

    const inbox = await listInbox(ctx, { userId: 'reader', limit: 10 });

    expect(inbox.items.map((i) => [i.conversation.conversationId, i.unreadCount])).toEqual([
      [third, 1],
      [second, 0],
      [first, 2],
    ]);
    expect(inbox.items[0]?.lastMessage?.body).toBe('body c');
  });

  it('pages the inbox with a cursor and ends without one', async () => {
    const ids = [await group('pager', ['x']), await group('pager', ['y']), await group('pager', ['z'])];

    const firstPage = await listInbox(ctx, { userId: 'pager', limit: 2 });
    const secondPage = await listInbox(ctx, {
      userId: 'pager',
      limit: 2,
      cursor: firstPage.cursor ?? undefined,
    });

    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.cursor).toEqual(expect.any(String));
    expect(secondPage.items).toHaveLength(1);
    expect(secondPage.cursor).toBeNull();
    expect(
      new Set([...firstPage.items, ...secondPage.items].map((i) => i.conversation.conversationId)),
    ).toEqual(new Set(ids));
  });

  it('keeps unread counts exact when the stream delivers the same records twice', async () => {
    const conversationId = await group('sender', ['counted']);
    for (const id of ['u1', 'u2', 'u3']) await send('sender', conversationId, id);

    await deliver(conversationId, [1, 2, 3]);
    await deliver(conversationId, [1, 2, 3]);

    expect(await getUnread(ctx, 'counted')).toEqual({
      total: 3,
      conversations: [{ conversationId, count: 3 }],
    });
    expect((await getUnread(ctx, 'sender')).total).toBe(0);
  });
});

describe('an @connections endpoint that never answers 410 Gone (LocalStack, for one)', () => {
  it('keeps delivering to a quiet connection past its presence, and stops once no connection can be that old', async () => {
    const postedTo: string[] = [];
    const lenientEndpoint = createServer((req, res) => {
      postedTo.push(decodeURIComponent(req.url?.split('/@connections/')[1] ?? ''));
      req.resume();
      res.writeHead(200).end();
    }).listen(0, '127.0.0.1');
    await once(lenientEndpoint, 'listening');
    const { port } = lenientEndpoint.address() as AddressInfo;
    const lenient = await createTestChat({
      connectionsEndpoint: `http://127.0.0.1:${port}`,
      settings: streamOnly,
    });
    const { conversation } = await createConversation(lenient.ctx, {
      userId: 'alice',
      input: {
        type: 'direct',
        memberIds: ['bob'],
      },
    });
    const { conversationId } = conversation;
    const sendToBob = async (clientMessageId: string, seq: number) => {
      await sendMessage(lenient.ctx, {
        userId: 'alice',
        conversationId,
        clientMessageId,
        body: clientMessageId,
      });
      await deliver(conversationId, [seq], lenient.ctx);
      return postedTo.splice(0);
    };
    await connect(lenient.ctx, { userId: 'bob', connectionId: 'bobs-silent-phone' });

    const whileAlive = await sendToBob('while-alive', 1);
    // The phone sends nothing any more: its presence expires, but its socket may well still be open.
    lenient.advance((lenient.ctx.settings.presenceTtlSeconds + 1) * 1000);
    const afterPresence = await sendToBob('after-presence', 2);
    // It vanished without a $disconnect and the endpoint still says 200; no connection lives past two hours.
    lenient.advance(limits.maxConnectionAgeMs);
    const afterMaxAge = await sendToBob('after-max-age', 3);
    lenientEndpoint.close();

    expect(whileAlive).toEqual(['bobs-silent-phone']);
    expect(afterPresence).toEqual(['bobs-silent-phone']);
    expect(afterMaxAge).toEqual([]);
  });
});
