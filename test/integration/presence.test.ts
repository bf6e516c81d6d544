import { beforeAll, describe, expect, it } from 'vitest';
import { createConversation, removeMember } from '../../shared/domain/conversations.ts';
import { connect, disconnect, getPresence } from '../../shared/domain/presence.ts';
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
        maxConnections: chat.ctx.settings.maxConnectionsPerUser,
      });
    };

    expect(await put()).toEqual({ wasOnline: false, displaced: [] });
    expect(await put()).toEqual({ wasOnline: true, displaced: [] });
    chat.advance((chat.ctx.settings.presenceTtlSeconds + 1) * 1000);
    expect(await put()).toEqual({ wasOnline: false, displaced: [] });
  });

  it('shows presence only to users who share a conversation, answering others as if never seen', async () => {
    // The guest created it: presence shows only through conversations the watched user engaged with.
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'guest',
      input: {
        type: 'group',
        name: 'club',
        memberIds: ['host', 'leaver'],
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
