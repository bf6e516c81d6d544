import { beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../../shared/domain/conversations.ts';
import { sendMessage } from '../../shared/domain/messaging.ts';
import { getUnread, markRead } from '../../shared/domain/read-state.ts';
import { createTestChat, type TestChat } from '../support/chat-context.ts';

let chat: TestChat;
beforeAll(async () => {
  chat = await createTestChat();
});

describe('read positions', () => {
  it('moves forward only, clamps a seq past the last message, and keeps unread exact', async () => {
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'writer',
      input: {
        type: 'direct',
        memberIds: ['reader'],
      },
    });
    const id = conversation.conversationId;
    for (const n of [1, 2, 3, 4])
      await sendMessage(chat.ctx, {
        userId: 'writer',
        conversationId: id,
        clientMessageId: `m${n}`,
        body: 'x',
      });

    const toThree = await markRead(chat.ctx, { userId: 'reader', conversationId: id, seq: 3 });
    const backToOne = await markRead(chat.ctx, { userId: 'reader', conversationId: id, seq: 1 });
    const beyond = await markRead(chat.ctx, { userId: 'reader', conversationId: id, seq: 99 });

    expect(toThree).toEqual({ conversationId: id, seq: 3, unreadCount: 1 });
    expect(backToOne).toEqual({ conversationId: id, seq: 3, unreadCount: 1 });
    expect(beyond).toEqual({ conversationId: id, seq: 4, unreadCount: 0 });
    expect((await getUnread(chat.ctx, 'reader')).total).toBe(0);
  });

  it('refuses a read mark from a non-member', async () => {
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'p1',
      input: { type: 'direct', memberIds: ['p2'] },
    });
    await expect(
      markRead(chat.ctx, { userId: 'outsider', conversationId: conversation.conversationId, seq: 1 }),
    ).rejects.toMatchObject({
      code: 'not_member',
    });
  });
});
