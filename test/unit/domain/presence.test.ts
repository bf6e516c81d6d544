import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { connect, disconnect, getPresence, heartbeat } from '../../../shared/domain/presence.ts';
import { type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';

/** Alice and bob share a group; mallory shares nothing with them. */
async function contacts(): Promise<InMemoryChat> {
  const chat = inMemoryChat();
  await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  return chat;
}

const presenceEvents = (chat: InMemoryChat, userId: string) =>
  chat.notifier.eventsOf(userId).filter((e) => e.type === 'presence');

describe('connect and disconnect', () => {
  it("tells an offline user's contacts, and no one else, that they came online", async () => {
    const chat = await contacts();
    await chat.online('bob');
    await chat.online('mallory');

    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });

    expect(presenceEvents(chat, 'bob')).toEqual([
      { type: 'presence', userId: 'alice', status: 'online', lastSeenAt: chat.clock.iso() },
    ]);
    expect(presenceEvents(chat, 'mallory')).toEqual([]);
  });

  it('announces nothing for a second connection of a user already online', async () => {
    const chat = await contacts();
    await chat.online('bob');
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    chat.notifier.clear();

    await connect(chat.ctx, { userId: 'alice', connectionId: 'a2' });

    expect(chat.notifier.deliveries).toEqual([]);
  });

  it('announces offline only when the last open connection closes', async () => {
    const chat = await contacts();
    await chat.online('bob');
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a2' });
    chat.notifier.clear();

    await disconnect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    const afterFirst = presenceEvents(chat, 'bob');
    await disconnect(chat.ctx, { userId: 'alice', connectionId: 'a2' });

    expect(afterFirst).toEqual([]);
    expect(presenceEvents(chat, 'bob')).toMatchObject([{ userId: 'alice', status: 'offline' }]);
  });
});

describe('heartbeat', () => {
  it('announces nothing and answers nothing for a user already online who asks no reply', async () => {
    const chat = await contacts();
    await chat.online('bob');
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    chat.notifier.clear();

    await heartbeat(chat.ctx, { userId: 'alice', connectionId: 'a1', reply: false });

    expect(chat.notifier.deliveries).toEqual([]);
  });

  it('answers pong with the heartbeat interval to the asking socket only, when asked to reply', async () => {
    const chat = await contacts();
    await chat.online('bob');
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a2' });
    chat.notifier.clear();

    await heartbeat(chat.ctx, { userId: 'alice', connectionId: 'a1', reply: true });

    expect(chat.notifier.deliveries).toEqual([
      {
        userId: 'alice',
        connectionId: 'a1',
        direct: true,
        event: {
          type: 'pong',
          at: chat.clock.iso(),
          heartbeatIntervalSeconds: chat.ctx.settings.heartbeatIntervalSeconds,
        },
      },
    ]);
  });

  it('brings a user whose presence expired back online for their contacts', async () => {
    const chat = await contacts();
    await chat.online('bob');
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    chat.clock.advance(chat.ctx.settings.presenceTtlSeconds * 1000 + 1);
    chat.notifier.clear();

    await heartbeat(chat.ctx, { userId: 'alice', connectionId: 'a1', reply: false });

    expect(presenceEvents(chat, 'bob')).toMatchObject([{ userId: 'alice', status: 'online' }]);
  });
});

describe('getPresence', () => {
  it('shows a contact online with the time they were last seen', async () => {
    const chat = await contacts();
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    const seenAt = chat.clock.iso();
    chat.clock.advance(5_000);

    const { users } = await getPresence(chat.ctx, { userId: 'bob', userIds: ['alice'] });

    expect(users).toEqual([{ userId: 'alice', status: 'online', lastSeenAt: seenAt }]);
  });

  it('answers a stranger about an online user exactly as about a user never seen', async () => {
    const chat = await contacts();
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });

    const { users } = await getPresence(chat.ctx, { userId: 'mallory', userIds: ['alice', 'nobody'] });

    expect(users).toEqual([
      { userId: 'alice', status: 'offline', lastSeenAt: null },
      { userId: 'nobody', status: 'offline', lastSeenAt: null },
    ]);
  });

  it("shows a contact offline once their connection's presence expired without a heartbeat", async () => {
    const chat = await contacts();
    await connect(chat.ctx, { userId: 'alice', connectionId: 'a1' });
    const seenAt = chat.clock.iso();
    const ttlMs = chat.ctx.settings.presenceTtlSeconds * 1000;

    chat.clock.advance(ttlMs - 1);
    const justBefore = await getPresence(chat.ctx, { userId: 'bob', userIds: ['alice'] });
    chat.clock.advance(1);
    const atExpiry = await getPresence(chat.ctx, { userId: 'bob', userIds: ['alice'] });

    expect(justBefore.users[0]?.status).toBe('online');
    expect(atExpiry.users).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: seenAt }]);
  });

  it('lets a user see their own presence', async () => {
    const chat = await contacts();
    await connect(chat.ctx, { userId: 'mallory', connectionId: 'm1' });

    const { users } = await getPresence(chat.ctx, { userId: 'mallory', userIds: ['mallory'] });

    expect(users[0]?.status).toBe('online');
  });
});
