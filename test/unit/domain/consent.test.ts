/** Consent rules of the use cases on in-memory ports: blocks, and presence shown only by engagement. */
import { describe, expect, it } from 'vitest';
import { blockUser, listBlocks, unblockUser } from '../../../shared/domain/blocks.ts';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { limits } from '../../../shared/domain/limits.ts';
import { connect, getPresence } from '../../../shared/domain/presence.ts';
import { signalTyping } from '../../../shared/domain/typing.ts';
import { type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

async function direct(chat: InMemoryChat, from: string, to: string) {
  const { conversation } = await createConversation(chat.ctx, {
    userId: from,
    input: { type: 'direct', memberIds: [to] },
  });
  return conversation.conversationId;
}

const seenBy = async (chat: InMemoryChat, viewer: string, watched: string) =>
  (await getPresence(chat.ctx, { userId: viewer, userIds: [watched] })).users[0]?.status;

describe('blocks', () => {
  it('refuses blocking oneself and more than the limit; blocking again and unblocking are no-ops', async () => {
    const chat = inMemoryChat();
    expect((await refusal(blockUser(chat.ctx, { userId: 'a', targetId: 'a' }))).code).toBe(
      'validation_failed',
    );
    for (let i = 0; i < limits.maxBlocksPerUser; i++) {
      await blockUser(chat.ctx, { userId: 'a', targetId: `u${i}` });
    }
    await blockUser(chat.ctx, { userId: 'a', targetId: 'u0' });
    const over = await refusal(blockUser(chat.ctx, { userId: 'a', targetId: 'one-more' }));
    expect(over.code).toBe('validation_failed');
    await unblockUser(chat.ctx, { userId: 'a', targetId: 'u0' });
    await unblockUser(chat.ctx, { userId: 'a', targetId: 'u0' });
    await blockUser(chat.ctx, { userId: 'a', targetId: 'one-more' });
    const { userIds } = await listBlocks(chat.ctx, 'a');
    expect(userIds).toHaveLength(limits.maxBlocksPerUser);
    expect(userIds).toContain('one-more');
    expect(userIds).not.toContain('u0');
  });

  it('drops typing between blocker and blocked only', async () => {
    const chat = inMemoryChat();
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'carol',
      input: { type: 'group', name: 'g', memberIds: ['alice', 'bob'] },
    });
    await Promise.all(['alice', 'bob', 'carol'].map((id) => chat.online(id)));
    await blockUser(chat.ctx, { userId: 'bob', targetId: 'alice' });
    const { conversationId } = conversation;
    await signalTyping(chat.ctx, { userId: 'alice', conversationId, isTyping: true });
    await signalTyping(chat.ctx, { userId: 'bob', conversationId, isTyping: true });

    const typists = (userId: string) =>
      chat.notifier
        .eventsOf(userId)
        .flatMap((e) => (e.type === 'typing' ? [e.userId] : []))
        .sort();
    expect(typists('carol')).toEqual(['alice', 'bob']);
    expect(typists('alice')).toEqual([]);
    expect(typists('bob')).toEqual([]);
  });
});

describe('presence by engagement', () => {
  it('shows nothing of someone one opened a direct conversation with, until they read in it', async () => {
    const chat = inMemoryChat();
    const conversationId = await direct(chat, 'watcher', 'victim');
    await chat.online('victim');
    expect(await seenBy(chat, 'watcher', 'victim')).toBe('offline');
    expect(await seenBy(chat, 'victim', 'watcher')).toBe('offline');

    // Cached member lists still say "not engaged" here: the fresh read finds the new read position.
    await chat.ctx.conversations.advanceRead({ conversationId, userId: 'victim', seq: 1 });
    expect(await seenBy(chat, 'watcher', 'victim')).toBe('online');
  });

  it("pushes a user's presence only through conversations they engaged with, never across a block", async () => {
    const chat = inMemoryChat();
    await direct(chat, 'watcher', 'victim');
    await createConversation(chat.ctx, {
      userId: 'victim',
      input: { type: 'group', name: 'g', memberIds: ['friend', 'blocked'] },
    });
    await Promise.all(['watcher', 'friend', 'blocked'].map((id) => chat.online(id)));
    await blockUser(chat.ctx, { userId: 'blocked', targetId: 'victim' });

    await connect(chat.ctx, { userId: 'victim', connectionId: 'v1' });

    const heard = (userId: string) => chat.notifier.eventsOf(userId).filter((e) => e.type === 'presence');
    expect(heard('friend')).toHaveLength(1);
    expect(heard('watcher')).toEqual([]);
    expect(heard('blocked')).toEqual([]);
  });
});
