import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMembers,
  createConversation,
  loadConversation,
  removeMember,
} from '../../shared/domain/conversations.ts';
import { createTestChat, type TestChat } from '../support/chat-context.ts';

let chat: TestChat;
beforeAll(async () => {
  chat = await createTestChat();
});

const rolesIn = async (conversationId: string, asUser: string) =>
  Object.fromEntries(
    (await loadConversation(chat.ctx, { conversationId, userId: asUser })).members.map((m) => [
      m.userId,
      m.role,
    ]),
  );

describe('group admins', () => {
  it('hands the group to its longest-standing member when the last admin leaves', async () => {
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'founder',
      input: {
        type: 'group',
        name: 'heirs',
        memberIds: ['zed'],
      },
    });
    const { conversationId } = conversation;
    chat.advance(1000);
    await addMembers(chat.ctx, { userId: 'founder', conversationId, userIds: ['amy'] });

    await removeMember(chat.ctx, { userId: 'founder', conversationId, targetId: 'founder' });

    expect(await rolesIn(conversationId, 'zed')).toEqual({ zed: 'admin', amy: 'member' });
    await expect(
      addMembers(chat.ctx, { userId: 'amy', conversationId, userIds: ['bo'] }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    await addMembers(chat.ctx, { userId: 'zed', conversationId, userIds: ['bo'] });
    expect(await rolesIn(conversationId, 'zed')).toEqual({ zed: 'admin', amy: 'member', bo: 'member' });
  });

  it('promotes nobody when a member who is not an admin leaves, and lets the last member leave', async () => {
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'owner',
      input: {
        type: 'group',
        name: 'steady',
        memberIds: ['guest'],
      },
    });
    const { conversationId } = conversation;

    await removeMember(chat.ctx, { userId: 'guest', conversationId, targetId: 'guest' });
    expect(await rolesIn(conversationId, 'owner')).toEqual({ owner: 'admin' });
    await removeMember(chat.ctx, { userId: 'owner', conversationId, targetId: 'owner' });
    await expect(loadConversation(chat.ctx, { conversationId, userId: 'owner' })).rejects.toMatchObject({
      code: 'not_member',
    });
  });
});
