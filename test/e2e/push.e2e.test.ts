/**
 * Push notifications through the local runtime: the real routes, the send and stream deliveries queueing jobs
 * on the local SQS queue, the push worker, and the recording sink read at `GET /_local/pushes?userId=`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

/** Long enough for a push that would be sent to have been recorded (a job takes a few tens of ms locally). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

const newToken = () => `token${Math.random().toString(36).slice(2)}${Date.now()}`;

async function pushesOf(userId: string) {
  const answer = await fetch(`${t.httpUrl}/_local/pushes?userId=${encodeURIComponent(userId)}`);
  return ((await answer.json()) as { items: Record<string, unknown>[] }).items;
}

async function register(userId: string, token = newToken(), platform = 'fcm') {
  const answer = await api(t, userId, 'POST', '/devices', { platform, token });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return { ...answer, token };
}

async function group(creator: string, memberIds: string[]) {
  const answer = await api(t, creator, 'POST', '/conversations', { type: 'group', name: 'Team', memberIds });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.conversationId as string;
}

async function send(userId: string, conversationId: string, body: string) {
  const answer = await api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

describe.skipIf(!t.isLocal)('push notifications', () => {
  it('devices: 201 then 200 for the same token, listed without the token, deleted only by their owner', async () => {
    const [bob, carol] = await t.newUsers('bob', 'carol');
    const first = await register(bob);
    expect(first).toMatchObject({ status: 201, body: { platform: 'fcm', deviceId: expect.any(String) } });
    const again = await register(bob, first.token);
    expect(again).toMatchObject({ status: 200, body: first.body });

    const listed = await api(t, bob, 'GET', '/devices');
    expect(listed.body.items).toEqual([
      { deviceId: first.body.deviceId, platform: 'fcm', createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(first.token);

    expect((await api(t, carol, 'DELETE', `/devices/${first.body.deviceId}`)).status).toBe(404);
    expect((await api(t, bob, 'DELETE', `/devices/${first.body.deviceId}`)).status).toBe(204);
    expect((await api(t, bob, 'GET', '/devices')).body.items).toEqual([]);
    expect((await api(t, bob, 'POST', '/devices', { platform: 'sms', token: 'x' })).status).toBe(400);
  });

  it('an offline member gets a push per message with the title, the text and their total unread count', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const { body: device } = await register(bob);
    const team = await group(alice, [bob]);
    const direct = (await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] })).body
      .conversationId as string;

    const inTeam = await send(alice, team, 'standup in 5');
    await eventually(async () => expect(await pushesOf(bob)).toHaveLength(1));
    const inDirect = await send(alice, direct, 'coffee?');
    const pushes = await eventually(async () => {
      const found = await pushesOf(bob);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(pushes).toMatchObject([
      {
        userId: bob,
        deviceId: device.deviceId,
        platform: 'fcm',
        conversationId: team,
        messageId: inTeam.messageId,
        title: 'Team',
        body: 'standup in 5',
        badge: 1,
      },
      { conversationId: direct, messageId: inDirect.messageId, title: alice, body: 'coffee?', badge: 2 },
    ]);
    expect(await pushesOf(alice)).toEqual([]);
  });

  it('members who muted the conversation or are connected get none', async () => {
    const [alice, bob, carol, dave] = await t.newUsers('alice', 'bob', 'carol', 'dave');
    for (const user of [bob, carol, dave]) await register(user);
    const team = await group(alice, [bob, carol, dave]);
    expect((await api(t, bob, 'PUT', `/conversations/${team}/mute`, {})).status).toBe(204);
    const carolsSocket = await open(carol);

    await send(alice, team, 'hello all');
    await eventually(async () => expect(await pushesOf(dave)).toHaveLength(1));
    await carolsSocket.waitFor((event) => event.type === 'message.new');
    await settle();
    expect(await pushesOf(bob)).toEqual([]);
    expect(await pushesOf(carol)).toEqual([]);

    // Unmuted, bob gets the next one (another conversation's push is not collapsed with it).
    expect((await api(t, bob, 'DELETE', `/conversations/${team}/mute`)).status).toBe(204);
    const other = await group(alice, [bob]);
    await send(alice, other, 'and you');
    await eventually(async () => expect(await pushesOf(bob)).toHaveLength(1));
  });

  it('a mute must be in the future, and only a member may mute', async () => {
    const [alice, bob, eve] = await t.newUsers('alice', 'bob', 'eve');
    const team = await group(alice, [bob]);
    const past = await api(t, bob, 'PUT', `/conversations/${team}/mute`, { until: '2020-01-01T00:00:00Z' });
    expect(past.body.error.code).toBe('validation_failed');
    expect((await api(t, eve, 'PUT', `/conversations/${team}/mute`, {})).body.error.code).toBe('not_member');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await api(t, bob, 'PUT', `/conversations/${team}/mute`, { until })).status).toBe(204);
  });

  it('a new sign-in on the phone moves its device: the new user gets the pushes, the old one none', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const { token } = await register(bob);
    const moved = await register(carol, token);
    expect(moved.status).toBe(201);
    expect((await api(t, bob, 'GET', '/devices')).body.items).toEqual([]);
    expect((await api(t, carol, 'GET', '/devices')).body.items).toHaveLength(1);

    await send(alice, await group(alice, [bob, carol]), 'who has the phone?');
    await eventually(async () => expect(await pushesOf(carol)).toHaveLength(1));
    await settle();
    expect(await pushesOf(bob)).toEqual([]);
  });

  it('forgets a device whose token the push service rejects, and keeps pushing to the good one', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const good = await register(bob);
    await register(bob, `invalid${newToken()}`);
    await send(alice, await group(alice, [bob]), 'ping');

    await eventually(async () =>
      expect(
        (await api(t, bob, 'GET', '/devices')).body.items.map((d: { deviceId: string }) => d.deviceId),
      ).toEqual([good.body.deviceId]),
    );
    expect((await pushesOf(bob)).map((push) => push.deviceId)).toEqual([good.body.deviceId]);
  });

  it('a blocked sender never causes a push to the member who blocks them', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    for (const user of [bob, carol]) await register(user);
    const team = await group(alice, [bob, carol]);
    expect((await api(t, bob, 'PUT', `/blocks/${alice}`)).status).toBe(204);

    await send(alice, team, 'hi');
    await eventually(async () => expect(await pushesOf(carol)).toHaveLength(1));
    await settle();
    expect(await pushesOf(bob)).toEqual([]);
  });
});
