import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import { getUnread, markRead } from '../../../shared/domain/read-state.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

/** A group of alice and bob where alice has sent `count` messages, with both online. */
async function unreadByBob(count: number) {
  const chat = inMemoryChat();
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  const { conversationId } = conversation;
  for (let i = 1; i <= count; i++) {
    await sendMessage(chat.ctx, { userId: 'alice', conversationId, clientMessageId: `c${i}`, body: `m${i}` });
  }
  await chat.online('alice');
  await chat.online('bob');
  chat.notifier.clear();
  const read = (seq: number, userId = 'bob') => markRead(chat.ctx, { userId, conversationId, seq });
  // Bob's first read also reveals his presence to alice (see test/unit/domain/consent.test.ts).
  const readEventsOf = (userId: string) =>
    chat.notifier.eventsOf(userId).filter((event) => event.type !== 'presence');
  return { chat, conversationId, read, readEventsOf };
}

describe('markRead', () => {
  it("moves the reader's position forward, tells the others `read` and the reader's devices `unread`", async () => {
    const { chat, conversationId, read, readEventsOf } = await unreadByBob(5);

    const answer = await read(3);

    expect(answer).toEqual({ conversationId, seq: 3, unreadCount: 2 });
    expect(readEventsOf('alice')).toEqual([{ type: 'read', conversationId, userId: 'bob', seq: 3 }]);
    expect(chat.notifier.eventsOf('bob')).toEqual([{ type: 'unread', conversationId, count: 2, total: 2 }]);
  });

  it('never moves back: an older seq keeps the position, answers it and tells no one', async () => {
    const { chat, conversationId, read } = await unreadByBob(5);
    await read(4);
    chat.notifier.clear();

    const answer = await read(2);

    expect(answer).toEqual({ conversationId, seq: 4, unreadCount: 1 });
    expect(chat.notifier.deliveries).toEqual([]);
    expect((await getUnread(chat.ctx, 'bob')).total).toBe(1);
  });

  it('clamps a seq past the last message to the last message', async () => {
    const { chat, conversationId, read, readEventsOf } = await unreadByBob(3);

    const answer = await read(1_000);

    expect(answer).toEqual({ conversationId, seq: 3, unreadCount: 0 });
    expect(readEventsOf('alice')).toEqual([{ type: 'read', conversationId, userId: 'bob', seq: 3 }]);
    // Later messages still count as unread: the position did not run ahead of them.
    await sendMessage(chat.ctx, { userId: 'alice', conversationId, clientMessageId: 'late', body: 'late' });
    expect((await getUnread(chat.ctx, 'bob')).total).toBe(1);
  });

  it('changes nothing in a conversation without messages', async () => {
    const { chat, conversationId, read } = await unreadByBob(0);

    const answer = await read(7);

    expect(answer).toEqual({ conversationId, seq: 0, unreadCount: 0 });
    expect(chat.notifier.deliveries).toEqual([]);
  });

  it('refuses a non-member with not_member and tells no one', async () => {
    const { chat, read } = await unreadByBob(2);

    const error = await refusal(read(2, 'mallory'));

    expect(error.code).toBe('not_member');
    expect(chat.notifier.deliveries).toEqual([]);
  });
});

describe('getUnread', () => {
  it('totals unread messages over conversations and lists only those with some', async () => {
    const { chat, conversationId } = await unreadByBob(3);
    const { conversation: quiet } = await createConversation(chat.ctx, {
      userId: 'alice',
      input: { type: 'direct', memberIds: ['bob'] },
    });

    const unread = await getUnread(chat.ctx, 'bob');

    expect(unread).toEqual({ total: 3, conversations: [{ conversationId, count: 3 }] });
    expect(unread.conversations.map((c) => c.conversationId)).not.toContain(quiet.conversationId);
  });
});
