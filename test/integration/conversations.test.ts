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
    (await loadConversation(chat.ctx, conversationId, asUser)).members.map((m) => [m.userId, m.role]),
  );

describe('group admins', () => {
  it('hands the group to its longest-standing member when the last admin leaves', async () => {
    const { conversation } = await createConversation(chat.ctx, 'founder', {
      type: 'group',
      name: 'heirs',
      memberIds: ['zed'],
    });
    const { conversationId } = conversation;
    chat.advance(1000);
    await addMembers(chat.ctx, 'founder', conversationId, ['amy']);

    await removeMember(chat.ctx, 'founder', conversationId, 'founder');

    expect(await rolesIn(conversationId, 'zed')).toEqual({ zed: 'admin', amy: 'member' });
    await expect(addMembers(chat.ctx, 'amy', conversationId, ['bo'])).rejects.toMatchObject({
      code: 'forbidden',
    });
    await addMembers(chat.ctx, 'zed', conversationId, ['bo']);
    expect(await rolesIn(conversationId, 'zed')).toEqual({ zed: 'admin', amy: 'member', bo: 'member' });
  });

  it('promotes nobody when a member who is not an admin leaves, and lets the last member leave', async () => {
    const { conversation } = await createConversation(chat.ctx, 'owner', {
      type: 'group',
      name: 'steady',
      memberIds: ['guest'],
    });
    const { conversationId } = conversation;

    await removeMember(chat.ctx, 'guest', conversationId, 'guest');
    expect(await rolesIn(conversationId, 'owner')).toEqual({ owner: 'admin' });
    await removeMember(chat.ctx, 'owner', conversationId, 'owner');
    await expect(loadConversation(chat.ctx, conversationId, 'owner')).rejects.toMatchObject({
      code: 'not_member',
    });
  });
});
