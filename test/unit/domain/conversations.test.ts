import { describe, expect, it } from 'vitest';
import {
  addMembers,
  createConversation,
  listInbox,
  loadConversation,
  removeMember,
} from '../../../shared/domain/conversations.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import type { ServerEvent } from '../../../shared/domain/model.ts';
import { type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

async function group(chat: InMemoryChat, admin: string, memberIds: string[], name = 'Team') {
  const { conversation } = await createConversation(chat.ctx, {
    userId: admin,
    input: { type: 'group', name, memberIds },
  });
  return conversation.conversationId;
}

const rolesOf = async (chat: InMemoryChat, conversationId: string) =>
  Object.fromEntries(
    (await chat.conversations.listMembers(conversationId)).map((m) => [m.userId, m.role] as const),
  );

const updates = (events: ServerEvent[]) => events.filter((e) => e.type === 'conversation.updated');

describe('createConversation', () => {
  it('answers the same direct conversation to both users, created and announced only once', async () => {
    const chat = inMemoryChat();
    await chat.online('bob');
    const direct = (userId: string, other: string) =>
      createConversation(chat.ctx, { userId, input: { type: 'direct', memberIds: [other] } });

    const first = await direct('alice', 'bob');
    const second = await direct('bob', 'alice');

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.conversation.conversationId).toBe(first.conversation.conversationId);
    expect(updates(chat.notifier.eventsOf('bob'))).toHaveLength(1);
  });

  it('refuses a direct conversation with anything but exactly one other user', async () => {
    const chat = inMemoryChat();
    const direct = (memberIds: string[]) =>
      createConversation(chat.ctx, { userId: 'alice', input: { type: 'direct', memberIds } });

    const withSelf = await refusal(direct(['alice']));
    const withTwo = await refusal(direct(['bob', 'carol']));

    expect([withSelf.code, withTwo.code]).toEqual(['validation_failed', 'validation_failed']);
  });

  it('makes the creator of a group its admin and tells every online member about it', async () => {
    const chat = inMemoryChat();
    await chat.online('bob');

    const conversationId = await group(chat, 'alice', ['bob', 'carol']);

    expect(await rolesOf(chat, conversationId)).toEqual({ alice: 'admin', bob: 'member', carol: 'member' });
    const [announced] = updates(chat.notifier.eventsOf('bob'));
    expect(announced).toMatchObject({ conversation: { conversationId, name: 'Team', memberCount: 3 } });
  });
});

describe('addMembers', () => {
  it('lets an admin add members, who are told about the group with themselves in it', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);
    await chat.online('carol');

    const updated = await addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['carol'] });

    expect(updated.memberCount).toBe(3);
    expect(updated.members.map((m) => m.userId).sort()).toEqual(['alice', 'bob', 'carol']);
    const [told] = updates(chat.notifier.eventsOf('carol'));
    expect(told?.conversation.members.map((m) => m.userId)).toContain('carol');
  });

  it('forbids a member who is not admin to add anyone', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);

    const error = await refusal(addMembers(chat.ctx, { userId: 'bob', conversationId, userIds: ['carol'] }));

    expect(error.code).toBe('forbidden');
    expect(await rolesOf(chat, conversationId)).toEqual({ alice: 'admin', bob: 'member' });
  });

  it('changes nothing and announces nothing when everyone named is a member already', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);
    await chat.online('bob');
    const before = await chat.conversations.get(conversationId);

    await addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['bob', 'alice'] });

    expect((await chat.conversations.get(conversationId))?.membersVersion).toBe(before?.membersVersion);
    expect(chat.notifier.deliveries).toEqual([]);
  });

  it('refuses one of two membership changes made at the same moment with conflict', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);

    const results = await Promise.allSettled([
      addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['carol'] }),
      addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['dave'] }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'conflict' });
    expect(Object.keys(await rolesOf(chat, conversationId))).toHaveLength(3);
  });

  it('refuses any change to a direct conversation but leaving it', async () => {
    const chat = inMemoryChat();
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'alice',
      input: { type: 'direct', memberIds: ['bob'] },
    });
    const { conversationId } = conversation;

    const add = await refusal(addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['carol'] }));
    const removeOther = await refusal(
      removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'bob' }),
    );
    await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'alice' });

    expect([add.code, removeOther.code]).toEqual(['forbidden', 'forbidden']);
    expect((await chat.ctx.conversations.listMembers(conversationId)).map((m) => m.userId)).toEqual(['bob']);
  });
});

describe('removeMember', () => {
  it('promotes the longest-standing member when the last admin leaves, not the first by name', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['zoe']);
    chat.clock.advance(60_000);
    await addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['bob'] });

    await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'alice' });

    expect(await rolesOf(chat, conversationId)).toEqual({ zoe: 'admin', bob: 'member' });
  });

  it('lets the promoted member act as admin at once', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);
    await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'alice' });

    const updated = await addMembers(chat.ctx, { userId: 'bob', conversationId, userIds: ['carol'] });

    expect(updated.members.map((m) => m.userId).sort()).toEqual(['bob', 'carol']);
  });

  it('promotes nobody when a member who is not admin leaves', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob', 'carol']);

    await removeMember(chat.ctx, { userId: 'bob', conversationId, targetId: 'bob' });

    expect(await rolesOf(chat, conversationId)).toEqual({ alice: 'admin', carol: 'member' });
  });

  it('lets a member leave but forbids them to remove anyone else', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob', 'carol']);

    const error = await refusal(removeMember(chat.ctx, { userId: 'bob', conversationId, targetId: 'carol' }));

    expect(error.code).toBe('forbidden');
    expect(Object.keys(await rolesOf(chat, conversationId)).sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it('tells the removed member, without them in it, and refuses them the conversation afterwards', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);
    await chat.online('bob');
    chat.notifier.clear();

    await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'bob' });

    const [told] = updates(chat.notifier.eventsOf('bob'));
    expect(told?.conversation.members.map((m) => m.userId)).toEqual(['alice']);
    expect(told?.conversation.memberCount).toBe(1);
    const error = await refusal(loadConversation(chat.ctx, { userId: 'bob', conversationId }));
    expect(error.code).toBe('not_member');
  });

  it('answers not_found for removing someone who is not a member', async () => {
    const chat = inMemoryChat();
    const conversationId = await group(chat, 'alice', ['bob']);

    const error = await refusal(
      removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'carol' }),
    );

    expect(error.code).toBe('not_found');
  });
});

describe('listInbox', () => {
  it('lists conversations most recently active first, with last message and unread count', async () => {
    const chat = inMemoryChat();
    const first = await group(chat, 'alice', ['bob'], 'first');
    chat.clock.advance(1_000);
    const second = await group(chat, 'alice', ['bob'], 'second');
    chat.clock.advance(1_000);
    await sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId: first,
      clientMessageId: 'c1',
      body: 'up',
    });

    const { items, cursor } = await listInbox(chat.ctx, { userId: 'bob', limit: 10 });

    expect(items.map((i) => i.conversation.conversationId)).toEqual([first, second]);
    expect(items[0]).toMatchObject({ lastMessage: { body: 'up' }, unreadCount: 1 });
    expect(items[1]).toMatchObject({ lastMessage: null, unreadCount: 0 });
    expect(cursor).toBeNull();
  });

  it('pages with a cursor that only the same user may use', async () => {
    const chat = inMemoryChat();
    for (const name of ['a', 'b', 'c']) {
      await group(chat, 'alice', ['bob'], name);
      chat.clock.advance(1_000);
    }

    const page1 = await listInbox(chat.ctx, { userId: 'bob', limit: 2 });
    const page2 = await listInbox(chat.ctx, { userId: 'bob', limit: 2, cursor: page1.cursor ?? '' });
    const stolen = await refusal(
      listInbox(chat.ctx, { userId: 'alice', limit: 2, cursor: page1.cursor ?? '' }),
    );

    expect(page1.items.map((i) => i.conversation.name)).toEqual(['c', 'b']);
    expect(page2.items.map((i) => i.conversation.name)).toEqual(['a']);
    expect(page2.cursor).toBeNull();
    expect(stolen.code).toBe('validation_failed');
  });
});
