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

  it('counts exactly for a user in more conversations than one BatchGetItem reads, never their own messages', async () => {
    const send = (userId: string, conversationId: string, clientMessageId: string) =>
      sendMessage(chat.ctx, { userId, conversationId, clientMessageId, body: 'x' });
    const groups: string[] = [];
    for (let n = 0; n < 210; n++) {
      const { conversation } = await createConversation(chat.ctx, {
        userId: 'many-reader',
        input: { type: 'group', name: `g${n}`, memberIds: ['many-writer'] },
      });
      groups.push(conversation.conversationId);
    }
    // One message in a conversation of each BatchGetItem call's 100 keys.
    const withMessages = [groups[0], groups[150], groups[209]] as string[];
    for (const id of withMessages) await send('many-writer', id, `w-${id}`);
    const { conversation: direct } = await createConversation(chat.ctx, {
      userId: 'many-reader',
      input: { type: 'direct', memberIds: ['many-writer'] },
    });
    await send('many-reader', direct.conversationId, 'r1');
    await send('many-reader', direct.conversationId, 'r2');
    await send('many-writer', direct.conversationId, 'w3');

    const reader = await getUnread(chat.ctx, 'many-reader');
    expect(reader.total).toBe(4);
    expect(new Map(reader.conversations.map((c) => [c.conversationId, c.count]))).toEqual(
      new Map([...withMessages.map((id) => [id, 1] as const), [direct.conversationId, 1]]),
    );
    expect(await getUnread(chat.ctx, 'many-writer')).toEqual({ total: 0, conversations: [] });
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
