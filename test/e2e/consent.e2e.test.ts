/**
 * Consent, through the public protocol: blocks and their effects, presence shown only through conversations the
 * watched user engaged with, leaving a direct conversation, and no adding back someone who left a group.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, type ChatSocket, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

/** Long enough for an event that would be pushed to have arrived (it would travel with one that did). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

async function direct(from: string, to: string) {
  const answer = await api(t, from, 'POST', '/conversations', { type: 'direct', memberIds: [to] });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body.conversationId as string;
}

async function group(creator: string, memberIds: string[]) {
  const answer = await api(t, creator, 'POST', '/conversations', { type: 'group', name: 'g', memberIds });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.conversationId as string;
}

async function send(userId: string, conversationId: string, body: string) {
  return api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body,
  });
}

const block = (blocker: string, blocked: string) => api(t, blocker, 'PUT', `/blocks/${blocked}`);
const presenceOf = async (viewer: string, watched: string) =>
  (await api(t, viewer, 'GET', `/presence?userIds=${watched}`)).body.users[0];
const hidden = (userId: string) => ({ userId, status: 'offline', lastSeenAt: null });
const presenceEventsAbout = (socket: ChatSocket, userId: string) =>
  socket.ofType('presence').filter((e) => e.userId === userId);

describe('blocks', () => {
  it('PUT, GET and DELETE /blocks: 204, the list, idempotent both ways; oneself is refused', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    expect(await api(t, alice, 'GET', '/blocks')).toMatchObject({ status: 200, body: { userIds: [] } });
    expect((await block(alice, bob)).status).toBe(204);
    expect((await block(alice, bob)).status).toBe(204);
    expect((await block(alice, carol)).status).toBe(204);
    expect((await api(t, alice, 'GET', '/blocks')).body.userIds.sort()).toEqual([bob, carol].sort());
    expect((await api(t, bob, 'GET', '/blocks')).body).toEqual({ userIds: [] });

    expect((await api(t, alice, 'DELETE', `/blocks/${bob}`)).status).toBe(204);
    expect((await api(t, alice, 'DELETE', `/blocks/${bob}`)).status).toBe(204);
    expect((await api(t, alice, 'GET', '/blocks')).body).toEqual({ userIds: [carol] });

    const self = await block(alice, alice);
    expect(self.status).toBe(400);
    expect(self.body.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/^userId:/),
    });
    expect((await block(alice, 'a%23b')).body.error.code).toBe('validation_failed');
  });

  it('refuses a direct conversation across a block, either way, with a plain forbidden; unblocking allows it', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    await block(alice, bob);
    for (const [from, to] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      const refused = await api(t, from, 'POST', '/conversations', { type: 'direct', memberIds: [to] });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.body.error.message).not.toMatch(/block/i);
    }
    expect((await api(t, alice, 'GET', '/conversations')).body.items).toEqual([]);
    await api(t, alice, 'DELETE', `/blocks/${bob}`);
    expect((await api(t, bob, 'POST', '/conversations', { type: 'direct', memberIds: [alice] })).status).toBe(
      201,
    );
  });

  it('refuses the blocked user a send in an existing direct conversation, and only while blocked', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await direct(bob, alice);
    expect((await send(bob, conversationId, 'before')).status).toBe(201);
    await block(alice, bob);

    const refused = await send(bob, conversationId, 'after the block');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await api(t, bob, 'POST', '/conversations', { type: 'direct', memberIds: [alice] })).status).toBe(
      403,
    );
    expect((await send(alice, conversationId, 'the blocker still may')).status).toBe(201);

    await api(t, alice, 'DELETE', `/blocks/${bob}`);
    expect((await send(bob, conversationId, 'after unblocking')).status).toBe(201);
  });

  it('refuses the blocked user adding the blocker to a group, at creation or later', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    await block(alice, bob);
    const atCreation = await api(t, bob, 'POST', '/conversations', {
      type: 'group',
      name: 'g',
      memberIds: [carol, alice],
    });
    expect(atCreation.status).toBe(403);
    expect(atCreation.body.error.code).toBe('forbidden');

    const conversationId = await group(bob, [carol]);
    const later = await api(t, bob, 'POST', `/conversations/${conversationId}/members`, { userIds: [alice] });
    expect(later.status).toBe(403);
    expect(later.body.error.code).toBe('forbidden');
    expect((await api(t, bob, 'GET', `/conversations/${conversationId}`)).body.memberCount).toBe(2);
    // The blocker may still bring the blocked user in.
    const byAlice = await group(alice, [bob]);
    expect((await api(t, bob, 'GET', `/conversations/${byAlice}`)).status).toBe(200);
  });

  it('drops typing between them both ways, while the rest of the group hears both', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const conversationId = await group(carol, [alice, bob]);
    await block(alice, bob);
    const [aliceSocket, bobSocket, carolSocket] = await Promise.all([open(alice), open(bob), open(carol)]);

    bobSocket.send({ action: 'typing', conversationId });
    aliceSocket.send({ action: 'typing', conversationId });
    await carolSocket.waitFor((e) => e.type === 'typing' && e.userId === bob);
    await carolSocket.waitFor((e) => e.type === 'typing' && e.userId === alice);
    await settle();
    expect(aliceSocket.ofType('typing')).toEqual([]);
    expect(bobSocket.ofType('typing')).toEqual([]);
  });
});

describe('presence is shown only through conversations the watched user engaged with', () => {
  it('opening a direct conversation with someone reveals nothing of them, in GET /presence or events', async () => {
    const [watcher, victim, friend] = await t.newUsers('watcher', 'victim', 'friend');
    await direct(watcher, victim);
    await group(victim, [friend]);
    const [watcherSocket, friendSocket] = await Promise.all([open(watcher), open(friend)]);
    await open(victim);

    await friendSocket.waitFor((e) => e.type === 'presence' && e.userId === victim && e.status === 'online');
    await settle();
    expect(presenceEventsAbout(watcherSocket, victim)).toEqual([]);
    expect(await presenceOf(watcher, victim)).toEqual(hidden(victim));
    expect(await presenceOf(friend, victim)).toMatchObject({
      status: 'online',
      lastSeenAt: expect.any(String),
    });
  });

  it('a conversation the watched user read in shows their presence from then on, told at once', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await direct(alice, bob);
    const [aliceSocket, bobSocket] = await Promise.all([open(alice), open(bob)]);
    expect(await presenceOf(alice, bob)).toEqual(hidden(bob));

    expect((await send(alice, conversationId, 'hello?')).status).toBe(201);
    expect((await api(t, bob, 'POST', `/conversations/${conversationId}/read`, { seq: 1 })).status).toBe(200);
    expect(await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob)).toMatchObject({
      status: 'online',
      lastSeenAt: expect.any(String),
    });
    expect(await presenceOf(alice, bob)).toMatchObject({ status: 'online', lastSeenAt: expect.any(String) });

    await bobSocket.close();
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'offline');
    expect(presenceEventsAbout(aliceSocket, bob).map((e) => e.status)).toEqual(['online', 'offline']);
  });

  it('a conversation the watched user sent in shows their presence', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await direct(alice, bob);
    await open(bob);
    expect(await presenceOf(alice, bob)).toEqual(hidden(bob));
    expect((await send(bob, conversationId, 'hi Alice')).status).toBe(201);
    expect(await presenceOf(alice, bob)).toMatchObject({ status: 'online' });
  });

  it('a block hides presence both ways, whatever the engagement', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    await group(alice, [bob, carol]);
    await group(bob, [alice, carol]);
    const [aliceSocket, carolSocket] = await Promise.all([open(alice), open(carol)]);
    const bobSocket = await open(bob);
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'online');
    expect(await presenceOf(bob, alice)).toMatchObject({ status: 'online' });

    await block(alice, bob);
    expect(await presenceOf(alice, bob)).toEqual(hidden(bob));
    expect(await presenceOf(bob, alice)).toEqual(hidden(alice));
    aliceSocket.events.length = 0;
    await bobSocket.close();
    await aliceSocket.close();
    await carolSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'offline');
    const [bobAgain, aliceAgain] = await Promise.all([open(bob), open(alice)]);
    await carolSocket.waitFor((e) => e.type === 'presence' && e.userId === alice && e.status === 'online');
    await settle();
    expect(presenceEventsAbout(aliceSocket, bob)).toEqual([]);
    expect(presenceEventsAbout(aliceAgain, bob)).toEqual([]);
    expect(presenceEventsAbout(bobAgain, alice)).toEqual([]);
  });
});

describe('leaving a direct conversation', () => {
  it('takes it out of the inbox, unread and deliveries; the other keeps it with its history', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await direct(bob, alice);
    await send(bob, conversationId, 'first');
    expect((await api(t, alice, 'DELETE', `/conversations/${conversationId}/members/${alice}`)).status).toBe(
      204,
    );

    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);
    await send(bob, conversationId, 'while Alice is away');
    await bobSocket.waitFor((e) => e.type === 'message.new' && (e.message as { seq: number }).seq === 2);
    await settle();
    expect(aliceSocket.ofType('message.new')).toEqual([]);
    expect((await api(t, alice, 'GET', '/conversations')).body.items).toEqual([]);
    expect((await api(t, alice, 'GET', '/unread')).body).toEqual({ total: 0, conversations: [] });
    expect((await api(t, alice, 'GET', `/conversations/${conversationId}`)).body.error.code).toBe(
      'not_member',
    );

    const kept = await api(t, bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(kept.body.items.map((m: { body: string }) => m.body)).toEqual(['while Alice is away', 'first']);
    expect((await api(t, bob, 'GET', `/conversations/${conversationId}`)).body.memberCount).toBe(1);
    // Bob can neither remove Alice nor bring her back.
    expect(
      (await api(t, bob, 'POST', '/conversations', { type: 'direct', memberIds: [alice] })).body.members,
    ).toHaveLength(1);
  });

  it('is undone only by the one who left, starting it again: the history and unread are there', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await direct(bob, alice);
    await api(t, alice, 'DELETE', `/conversations/${conversationId}/members/${alice}`);
    await send(bob, conversationId, 'are you there?');

    const back = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ conversationId, memberCount: 2 });
    expect((await api(t, alice, 'GET', '/unread')).body).toEqual({
      total: 1,
      conversations: [{ conversationId, count: 1 }],
    });
    const aliceSocket = await open(alice);
    await send(bob, conversationId, 'welcome back');
    await aliceSocket.waitFor((e) => e.type === 'message.new');
  });

  it('allows removing only oneself; a blocked and left conversation stays hidden', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await direct(bob, alice);
    const removeOther = await api(t, bob, 'DELETE', `/conversations/${conversationId}/members/${alice}`);
    expect(removeOther.status).toBe(403);
    expect(removeOther.body.error.code).toBe('forbidden');

    await block(alice, bob);
    await api(t, alice, 'DELETE', `/conversations/${conversationId}/members/${alice}`);
    const again = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    expect(again.status).toBe(403);
    expect((await api(t, alice, 'GET', '/conversations')).body.items).toEqual([]);
  });
});

describe('a user who left a group', () => {
  it('cannot be added back by anyone, while a removed member can', async () => {
    const [admin, leaver, removed] = await t.newUsers('admin', 'leaver', 'removed');
    const conversationId = await group(admin, [leaver, removed]);
    expect(
      (await api(t, leaver, 'DELETE', `/conversations/${conversationId}/members/${leaver}`)).status,
    ).toBe(204);
    await api(t, admin, 'DELETE', `/conversations/${conversationId}/members/${removed}`);

    const addLeaver = await api(t, admin, 'POST', `/conversations/${conversationId}/members`, {
      userIds: [leaver],
    });
    expect(addLeaver.status).toBe(403);
    expect(addLeaver.body.error.code).toBe('forbidden');
    const addRemoved = await api(t, admin, 'POST', `/conversations/${conversationId}/members`, {
      userIds: [removed],
    });
    expect(addRemoved.status).toBe(200);
    expect(addRemoved.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [admin, removed].sort(),
    );
  });
});
