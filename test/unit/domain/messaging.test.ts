import { describe, expect, it } from 'vitest';
import { createConversation, removeMember } from '../../../shared/domain/conversations.ts';
import {
  deleteMessage,
  editMessage,
  listMessages,
  type SendInput,
  sendMessage,
} from '../../../shared/domain/messaging.ts';
import { getUnread } from '../../../shared/domain/read-state.ts';
import { type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal, seenByClient } from '../../support/refusal.ts';

/** A group of alice (admin) and bob, on fresh fakes. */
async function groupChat(settings: Parameters<typeof inMemoryChat>[0] = {}) {
  const chat = inMemoryChat(settings);
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  const conversationId = conversation.conversationId;
  let sends = 0;
  const send = (userId: string, extra: Partial<SendInput> = {}) =>
    sendMessage(chat.ctx, {
      userId,
      conversationId,
      clientMessageId: `cmid-${++sends}`,
      body: `hello ${sends}`,
      ...extra,
    });
  return { chat, conversationId, send };
}

const history = (chat: InMemoryChat, conversationId: string) =>
  listMessages(chat.ctx, { userId: 'alice', conversationId, limit: 100, after: 0 });

describe('sendMessage', () => {
  it('stores a message once when it is sent again with the same clientMessageId, and answers the first', async () => {
    const { chat, conversationId, send } = await groupChat();
    const first = await send('alice', { clientMessageId: 'retry-me', body: 'once' });

    const again = await send('alice', { clientMessageId: 'retry-me', body: 'once' });

    expect(first.created).toBe(true);
    expect(again).toEqual({ message: first.message, created: false });
    const { items } = await history(chat, conversationId);
    expect(items.map((m) => m.messageId)).toEqual([first.message.messageId]);
  });

  it('treats the same clientMessageId from another sender as another message', async () => {
    const { chat, conversationId, send } = await groupChat();
    await send('alice', { clientMessageId: 'same' });

    const bobs = await send('bob', { clientMessageId: 'same' });

    expect(bobs.created).toBe(true);
    expect((await history(chat, conversationId)).items).toHaveLength(2);
  });

  it('numbers messages 1, 2, 3… without gaps or repeats when members send at the same moment', async () => {
    const { chat, conversationId, send } = await groupChat();

    const sent = await Promise.all([
      send('alice'),
      send('bob'),
      send('alice'),
      send('bob'),
      send('alice'),
      send('bob'),
    ]);

    expect(sent.map((s) => s.message.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const { items } = await history(chat, conversationId);
    expect(items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // Each send took the next seq at once: concurrent senders never retry.
    expect(chat.messages.reservations).toEqual(Array(6).fill('reserved'));
  });

  it('gives each later message a higher seq and a message id that carries it', async () => {
    const { send } = await groupChat();

    const seqs: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { message } = await send(i % 2 === 0 ? 'alice' : 'bob');
      seqs.push(message.seq);
      ids.push(message.messageId);
    }

    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(ids.map((id) => Number(id.split('-')[0]))).toEqual(seqs);
  });

  it('refuses a non-member with not_member, exactly as for a conversation that does not exist, storing nothing', async () => {
    const { chat, conversationId } = await groupChat();
    await chat.online('alice');
    await chat.online('bob');
    chat.notifier.clear();
    const attempt = (id: string) =>
      sendMessage(chat.ctx, { userId: 'mallory', conversationId: id, clientMessageId: 'x', body: 'hi' });

    const outsider = await refusal(attempt(conversationId));
    const nowhere = await refusal(attempt('no-such-conversation'));

    expect(outsider.code).toBe('not_member');
    expect(seenByClient(outsider)).toEqual(seenByClient(nowhere));
    expect((await history(chat, conversationId)).items).toEqual([]);
    expect(chat.notifier.deliveries).toEqual([]);
  });

  it('refuses a non-member reading the history with not_member', async () => {
    const { chat, conversationId, send } = await groupChat();
    await send('alice');

    const error = await refusal(listMessages(chat.ctx, { userId: 'mallory', conversationId, limit: 10 }));

    expect(error.code).toBe('not_member');
  });

  it('refuses a member removed between reading the conversation and storing the message', async () => {
    const { chat, conversationId, send } = await groupChat();
    chat.messages.onceBeforeReserve(async () => {
      await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'bob' });
    });

    const error = await refusal(send('bob'));

    expect(error.code).toBe('not_member');
    expect(chat.messages.reservations).toEqual(['membership-changed']);
    expect((await history(chat, conversationId)).items).toEqual([]);
  });

  it("counts the sender's own message as read and the others' as unread", async () => {
    const { chat, send } = await groupChat();

    await send('bob');

    expect((await getUnread(chat.ctx, 'bob')).total).toBe(0);
    expect((await getUnread(chat.ctx, 'alice')).total).toBe(1);
  });

  it('answers conflict for a retried send whose earlier message expired by retention', async () => {
    const { chat, conversationId, send } = await groupChat({ settings: { messageRetentionDays: 1 } });
    const { message } = await send('alice', { clientMessageId: 'old' });
    chat.clock.advance(2 * 86_400_000);
    // DynamoDB's TTL deletes lazily: the message may go before its intent.
    chat.messages.expire({ conversationId, seq: message.seq, keepIntent: true });

    const error = await refusal(send('alice', { clientMessageId: 'old' }));

    expect(error.code).toBe('conflict');
  });

  it('a retry after its first try died between intent and message stores it once, under the first id', async () => {
    const { chat, conversationId, send } = await groupChat();
    const store = chat.messages.store.bind(chat.messages);
    chat.messages.store = async () => {
      throw new Error('the function died here');
    };
    await expect(send('alice', { clientMessageId: 'again', body: 'x' })).rejects.toThrow('died');
    chat.messages.store = store;

    const retry = await send('alice', { clientMessageId: 'again', body: 'x' });

    const [intent] = chat.messages.recordedIntents();
    expect(retry).toEqual({ message: intent?.message, created: false });
    expect((await history(chat, conversationId)).items.map((m) => m.messageId)).toEqual([
      intent?.message.messageId,
    ]);
  });

  it("counts a direct conversation sender's own message as read without writing its member item", async () => {
    const chat = inMemoryChat();
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'alice',
      input: { type: 'direct', memberIds: ['bob'] },
    });
    const { conversationId } = conversation;
    await sendMessage(chat.ctx, { userId: 'bob', conversationId, clientMessageId: 'b1', body: 'hi' });
    await sendMessage(chat.ctx, { userId: 'alice', conversationId, clientMessageId: 'a1', body: 'hey' });

    expect((await getUnread(chat.ctx, 'alice')).total).toBe(0);
    expect((await getUnread(chat.ctx, 'bob')).total).toBe(1);
    expect((await chat.conversations.getMember({ conversationId, userId: 'alice' }))?.lastReadSeq).toBe(0);
  });

  it("a first message in a conversation someone else created shows the sender's presence to the others", async () => {
    const { chat, send } = await groupChat();
    await chat.online('alice');
    await chat.online('bob');
    chat.notifier.clear();

    await send('bob');
    const firstTime = chat.notifier.eventsOf('alice').filter((e) => e.type === 'presence');
    chat.notifier.clear();
    await send('bob');

    expect(firstTime).toEqual([
      expect.objectContaining({ type: 'presence', userId: 'bob', status: 'online' }),
    ]);
    expect(chat.notifier.eventsOf('alice').filter((e) => e.type === 'presence')).toEqual([]);
  });

  it('accepts a send (for its ack) once it is recorded, before anyone else is told', async () => {
    const { chat, send } = await groupChat();
    await chat.online('bob');
    chat.notifier.clear();
    let deliveredWhenAccepted: number | undefined;

    const { message } = await send('alice', {
      onAccepted: async () => {
        deliveredWhenAccepted = chat.notifier.deliveries.length;
      },
    });

    expect(deliveredWhenAccepted).toBe(0);
    expect(chat.notifier.eventsOf('bob')).toContainEqual({ type: 'message.new', message });
  });

  it('refuses an empty body with validation_failed before anything is stored', async () => {
    const { chat, conversationId, send } = await groupChat();

    const error = await refusal(send('alice', { body: '   \u200B ' }));

    expect(error.code).toBe('validation_failed');
    expect(chat.messages.reservations).toEqual([]);
    expect((await history(chat, conversationId)).items).toEqual([]);
  });
});

describe('listMessages', () => {
  it('pages newest first before a seq and oldest first after one, saying whether there is more', async () => {
    const { chat, conversationId, send } = await groupChat();
    for (let i = 0; i < 5; i++) await send('alice');
    const page = (options: { before?: number; after?: number }) =>
      listMessages(chat.ctx, { userId: 'bob', conversationId, limit: 2, ...options });

    const newest = await page({});
    const older = await page({ before: 4 });
    const newer = await page({ after: 3 });

    expect(newest.items.map((m) => m.seq)).toEqual([5, 4]);
    expect(newest.hasMore).toBe(true);
    expect(older.items.map((m) => m.seq)).toEqual([3, 2]);
    expect(newer.items.map((m) => m.seq)).toEqual([4, 5]);
    expect(newer.hasMore).toBe(false);
  });
});

describe('editMessage and deleteMessage', () => {
  it("lets the author edit, shows the edit as the conversation's last message, and forbids anyone else", async () => {
    const { chat, conversationId, send } = await groupChat();
    const { message } = await send('alice', { body: 'teh plan' });
    chat.clock.advance(1_000);

    const byBob = await refusal(
      editMessage(chat.ctx, { userId: 'bob', conversationId, messageId: message.messageId, body: 'mine' }),
    );
    const edited = await editMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      messageId: message.messageId,
      body: 'the plan',
    });

    expect(byBob.code).toBe('forbidden');
    expect(edited).toMatchObject({ seq: message.seq, body: 'the plan', editedAt: chat.clock.iso() });
    const stored = await chat.conversations.get(conversationId);
    expect(stored?.lastMessage).toMatchObject({ body: 'the plan' });
  });

  it('keeps a deleted message in place with an empty body, and refuses to edit it afterwards', async () => {
    const { chat, conversationId, send } = await groupChat();
    const { message } = await send('alice');
    await send('bob');
    const request = { userId: 'alice', conversationId, messageId: message.messageId };

    await deleteMessage(chat.ctx, request);
    const edit = await refusal(editMessage(chat.ctx, { ...request, body: 'again' }));

    expect(edit.code).toBe('conflict');
    const { items } = await history(chat, conversationId);
    expect(items.map((m) => m.seq)).toEqual([1, 2]);
    expect(items[0]).toMatchObject({ body: '', deletedAt: chat.clock.iso() });
  });

  it('answers not_found for a message id of another conversation or one that is not a message id', async () => {
    const { chat, conversationId, send } = await groupChat();
    const { message } = await send('alice');
    const other = await createConversation(chat.ctx, {
      userId: 'alice',
      input: { type: 'group', name: 'Other', memberIds: [] },
    });
    const edit = (id: string, messageId: string) =>
      editMessage(chat.ctx, { userId: 'alice', conversationId: id, messageId, body: 'x' });

    const elsewhere = await refusal(edit(other.conversation.conversationId, message.messageId));
    const forged = await refusal(edit(conversationId, '1-NOPE'));
    const garbage = await refusal(edit(conversationId, 'not-an-id'));

    expect([elsewhere.code, forged.code, garbage.code]).toEqual(['not_found', 'not_found', 'not_found']);
  });
});
