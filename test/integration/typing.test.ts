import { beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../../shared/domain/conversations.ts';
import { signalTyping } from '../../shared/domain/typing.ts';
import { createTestChat, type TestChat } from '../support/chat-context.ts';

let chat: TestChat;
beforeAll(async () => {
  chat = await createTestChat();
});

describe('typing', () => {
  it('coalesces repeated signals within the window and broadcasts again once it has passed', async () => {
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'typist',
      input: {
        type: 'direct',
        memberIds: ['watcher'],
      },
    });
    const id = conversation.conversationId;
    const started = Date.now();
    const startAt = (nowMs: number) =>
      chat.ctx.typing.start({
        conversationId: id,
        userId: 'probe',
        nowMs,
        expiresAtMs: nowMs + 6000,
        coalesceMs: 3000,
      });
    const broadcasts = () => startAt(started);

    expect(await broadcasts()).toBe(true);
    expect(await broadcasts()).toBe(false);
    await expect(
      signalTyping(chat.ctx, { userId: 'stranger', conversationId: id, isTyping: true }),
    ).rejects.toMatchObject({ code: 'not_member' });
    expect(await startAt(started + 3001)).toBe(true);
  });

  it('treats an expired typing signal as absent: stopping it is not broadcast', async () => {
    const now = Date.now();
    const signal = { conversationId: 'c-expiry', userId: 'u' };
    await chat.ctx.typing.start({ ...signal, nowMs: now, expiresAtMs: now + 100, coalesceMs: 3000 });
    expect(await chat.ctx.typing.stop({ ...signal, nowMs: now + 200 })).toBe(false);
  });
});
