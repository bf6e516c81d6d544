import { describe, expect, it } from 'vitest';
import type { ChatSettings } from '../../../shared/config.ts';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { signalTyping } from '../../../shared/domain/typing.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

/** A group of alice, bob and carol, all online. */
async function typists(settings: Partial<ChatSettings> = {}) {
  const chat = inMemoryChat({ settings });
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob', 'carol'] },
  });
  const { conversationId } = conversation;
  for (const user of ['alice', 'bob', 'carol']) await chat.online(user);
  chat.notifier.clear();
  const signal = (isTyping: boolean, userId = 'alice') =>
    signalTyping(chat.ctx, { userId, conversationId, isTyping });
  const typingEventsOf = (userId: string) =>
    chat.notifier.eventsOf(userId).filter((e) => e.type === 'typing');
  return { chat, conversationId, signal, typingEventsOf };
}

describe('signalTyping', () => {
  it('tells the other members, not the typist, until when the signal lasts', async () => {
    const { chat, conversationId, signal, typingEventsOf } = await typists();
    const expiresAt = new Date(chat.clock.now() + chat.ctx.settings.typingTtlSeconds * 1000).toISOString();

    await signal(true);

    const event = { type: 'typing', conversationId, userId: 'alice', isTyping: true, expiresAt };
    expect(typingEventsOf('bob')).toEqual([event]);
    expect(typingEventsOf('carol')).toEqual([event]);
    expect(typingEventsOf('alice')).toEqual([]);
  });

  it('broadcasts repeated signals within the coalescing window once, and again after it', async () => {
    const { chat, signal, typingEventsOf } = await typists({ typingCoalesceSeconds: 3 });

    await signal(true);
    chat.clock.advance(1_000);
    await signal(true);
    chat.clock.advance(1_999);
    await signal(true);
    const withinWindow = typingEventsOf('bob').length;
    chat.clock.advance(1);
    await signal(true);

    expect(withinWindow).toBe(1);
    expect(typingEventsOf('bob')).toHaveLength(2);
  });

  it('broadcasts a stop while the signal is live, stamped with the moment it stopped', async () => {
    const { chat, conversationId, signal, typingEventsOf } = await typists();
    await signal(true);
    chat.clock.advance(1_000);

    await signal(false);

    expect(typingEventsOf('bob').at(-1)).toEqual({
      type: 'typing',
      conversationId,
      userId: 'alice',
      isTyping: false,
      expiresAt: chat.clock.iso(),
    });
  });

  it('broadcasts nothing for a stop after the signal expired by itself', async () => {
    const { chat, signal } = await typists();
    await signal(true);
    chat.clock.advance(chat.ctx.settings.typingTtlSeconds * 1000);
    chat.notifier.clear();

    await signal(false);

    expect(chat.notifier.deliveries).toEqual([]);
  });

  it('broadcasts a new start at once after a stop, whatever the coalescing window', async () => {
    const { signal, typingEventsOf } = await typists();
    await signal(true);
    await signal(false);

    await signal(true);

    expect(typingEventsOf('bob').map((e) => e.isTyping)).toEqual([true, false, true]);
  });

  it("refuses a non-member's signal with not_member and tells no one", async () => {
    const { chat, signal } = await typists();

    const error = await refusal(signal(true, 'mallory'));

    expect(error.code).toBe('not_member');
    expect(chat.notifier.deliveries).toEqual([]);
  });
});
