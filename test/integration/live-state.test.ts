import { beforeAll, describe, expect, it } from 'vitest';
import { createConversation, removeMember } from '../../shared/domain/conversations.ts';
import { sendMessage } from '../../shared/domain/messaging.ts';
import { connect, disconnect, getPresence } from '../../shared/domain/presence.ts';
import { getUnread, markRead } from '../../shared/domain/read-state.ts';
import { signalTyping } from '../../shared/domain/typing.ts';
import { createTestChat, type TestChat } from '../support/chat-context.ts';

let chat: TestChat;
beforeAll(async () => {
  chat = await createTestChat();
});

/** A user's presence as the user sees it (always visible to oneself). */
const statusOf = async (userId: string) =>
  (await getPresence(chat.ctx, { userId, userIds: [userId] })).users[0];

describe('presence', () => {
  it('keeps a user online while any device is connected and offline with lastSeenAt after the last leaves', async () => {
    await connect(chat.ctx, { userId: 'multi', connectionId: 'phone' });
    await connect(chat.ctx, { userId: 'multi', connectionId: 'laptop' });

    await disconnect(chat.ctx, { userId: 'multi', connectionId: 'phone' });
    const afterOne = await statusOf('multi');
    await disconnect(chat.ctx, { userId: 'multi', connectionId: 'laptop' });
    const afterBoth = await statusOf('multi');

    expect(afterOne?.status).toBe('online');
    expect(afterBoth).toMatchObject({ status: 'offline', lastSeenAt: expect.any(String) });
  });

  it('reports a connection past its expiry as offline although DynamoDB has not deleted it yet', async () => {
    await connect(chat.ctx, { userId: 'silent', connectionId: 'only-socket' });
    expect((await statusOf('silent'))?.status).toBe('online');

    chat.advance((chat.ctx.settings.presenceTtlSeconds + 1) * 1000);

    expect((await statusOf('silent'))?.status).toBe('offline');
  });

  it('counts a renewed connection whose presence was fresh as online before, and an expired one as not', async () => {
    const put = () => {
      return chat.ctx.sessions.putConnection({
        userId: 'renewing',
        connectionId: 'only',
        expiresAtMs: chat.ctx.clock() + chat.ctx.settings.presenceTtlSeconds * 1000,
        nowMs: chat.ctx.clock(),
      });
    };

    expect(await put()).toEqual({ wasOnline: false });
    expect(await put()).toEqual({ wasOnline: true });
    chat.advance((chat.ctx.settings.presenceTtlSeconds + 1) * 1000);
    expect(await put()).toEqual({ wasOnline: false });
  });

  it('shows presence only to users who share a conversation, answering others as if never seen', async () => {
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'host',
      input: {
        type: 'group',
        name: 'club',
        memberIds: ['guest', 'leaver'],
      },
    });
    await connect(chat.ctx, { userId: 'guest', connectionId: 'guest-phone' });
    await removeMember(chat.ctx, {
      userId: 'leaver',
      conversationId: conversation.conversationId,
      targetId: 'leaver',
    });
    const asSeenBy = async (viewer: string) =>
      (await getPresence(chat.ctx, { userId: viewer, userIds: ['guest'] })).users;

    expect(await asSeenBy('host')).toEqual([
      { userId: 'guest', status: 'online', lastSeenAt: expect.any(String) },
    ]);
    const neverSeen = [{ userId: 'guest', status: 'offline', lastSeenAt: null }];
    expect(await asSeenBy('stranger')).toEqual(neverSeen);
    expect(await asSeenBy('leaver')).toEqual(neverSeen);
  });

  it('answers offline with no lastSeenAt for a user never seen', async () => {
    expect(await statusOf('nobody')).toEqual({ userId: 'nobody', status: 'offline', lastSeenAt: null });
  });
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

describe('rate limits', () => {
  it('answers rate_limited once a user sends more than the limit in a minute', async () => {
    const ctx = { ...chat.ctx, settings: { ...chat.ctx.settings, sendRatePerMinute: 3 } };
    const { conversation } = await createConversation(ctx, {
      userId: 'fast',
      input: { type: 'direct', memberIds: ['slow'] },
    });
    const send = (clientMessageId: string) =>
      sendMessage(ctx, {
        userId: 'fast',
        conversationId: conversation.conversationId,
        clientMessageId,
        body: 'x',
      });
    chat.advance(60_000 - (ctx.clock() % 60_000));
    for (const id of ['r1', 'r2', 'r3']) await send(id);

    await expect(send('r4')).rejects.toMatchObject({ code: 'rate_limited' });
    chat.advance(60_000);
    await expect(send('r5')).resolves.toMatchObject({ created: true });
  });
});
