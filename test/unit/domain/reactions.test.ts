import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { limits } from '../../../shared/domain/limits.ts';
import { listMessages, sendMessage } from '../../../shared/domain/messaging.ts';
import { addReaction, removeReaction } from '../../../shared/domain/reactions.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

/** A group of alice and bob with one message of alice's, and bob online. */
async function reactedChat() {
  const chat = inMemoryChat();
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  const { conversationId } = conversation;
  const { message } = await sendMessage(chat.ctx, {
    userId: 'alice',
    conversationId,
    clientMessageId: 'c1',
    body: 'hi',
  });
  await chat.online('bob');
  chat.notifier.clear();
  const on = (userId: string, emoji: string) => ({
    userId,
    conversationId,
    messageId: message.messageId,
    emoji,
  });
  const reactionsRead = async () =>
    (await listMessages(chat.ctx, { userId: 'bob', conversationId, limit: 10 })).items[0]?.reactions;
  return { chat, on, reactionsRead };
}

describe('reactions', () => {
  it('adds once per user and emoji, and tells the members only of a change', async () => {
    const { chat, on, reactionsRead } = await reactedChat();
    await addReaction(chat.ctx, on('alice', '👍'));
    await addReaction(chat.ctx, on('alice', '👍'));
    await addReaction(chat.ctx, on('bob', '👍'));
    expect(await reactionsRead()).toEqual([{ emoji: '👍', count: 2, userIds: ['bob', 'alice'] }]);
    expect(chat.notifier.eventsOf('bob').map((event) => event.type)).toEqual([
      'message.reactions',
      'message.reactions',
    ]);
  });

  it('removes, and removing what is not there changes nothing and tells nobody', async () => {
    const { chat, on, reactionsRead } = await reactedChat();
    await addReaction(chat.ctx, on('alice', '🎉'));
    await removeReaction(chat.ctx, on('alice', '🎉'));
    await removeReaction(chat.ctx, on('alice', '🎉'));
    expect(await reactionsRead()).toBeUndefined();
    expect(chat.notifier.eventsOf('bob')).toHaveLength(2);
    expect(chat.notifier.eventsOf('bob')[1]).toMatchObject({ type: 'message.reactions', reactions: [] });
  });

  it('refuses past the per-user limit and forgets the refused reaction', async () => {
    const { chat, on, reactionsRead } = await reactedChat();
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
    for (const e of emoji.slice(0, limits.maxReactionsPerUserPerMessage))
      await addReaction(chat.ctx, on('bob', e));
    const refused = await refusal(
      addReaction(chat.ctx, on('bob', emoji[limits.maxReactionsPerUserPerMessage] ?? '')),
    );
    expect(refused.code).toBe('validation_failed');
    expect(await reactionsRead()).toHaveLength(limits.maxReactionsPerUserPerMessage);
    // The refused one left nothing behind: after removing one, it is accepted.
    await removeReaction(chat.ctx, on('bob', emoji[0] ?? ''));
    await addReaction(chat.ctx, on('bob', emoji[limits.maxReactionsPerUserPerMessage] ?? ''));
    expect(await reactionsRead()).toHaveLength(limits.maxReactionsPerUserPerMessage);
  });

  it('refuses an outsider as other member-only routes do, and anything but one emoji', async () => {
    const { chat, on } = await reactedChat();
    expect((await refusal(addReaction(chat.ctx, on('eve', '👍')))).code).toBe('not_member');
    expect((await refusal(addReaction(chat.ctx, on('bob', 'yes')))).code).toBe('validation_failed');
  });
});
