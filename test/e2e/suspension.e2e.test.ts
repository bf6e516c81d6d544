/**
 * Suspensions through the local runtime, with real sockets: a socket open at the moment of suspension gets
 * `error` `suspended` and is closed, a new connection is refused (the authorizer's Deny: 403, as API Gateway
 * answers it), every HTTP call answers 403 `suspended`, the user's devices get no pushes; lifting, or the end
 * of `until`, restores everything. Only moderators (a token with the `moderators` group) may suspend.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { api, ChatSocket, eventually, socketPool, type Target, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

/** The target as a moderator sees it: tokens of the local issuer carrying the `moderators` group. */
const moderators: Target = {
  ...t,
  async tokenFor(userId) {
    const answer = await fetch(`${t.httpUrl}/_local/token`, {
      method: 'POST',
      body: JSON.stringify({ userId, groups: ['moderators'] }),
    });
    return ((await answer.json()) as { token: string }).token;
  },
};

const suspend = (moderator: string, userId: string, body: Record<string, unknown> = { reason: 'spam' }) =>
  api(moderators, moderator, 'PUT', `/moderation/suspensions/${userId}`, body);
const lift = (moderator: string, userId: string) =>
  api(moderators, moderator, 'DELETE', `/moderation/suspensions/${userId}`);

/** How a connection attempt ends: `open` (then closed again), or the HTTP status that refused the upgrade. */
async function connectOutcome(userId: string): Promise<string> {
  try {
    const socket = await ChatSocket.open(t, userId);
    await socket.close();
    return 'open';
  } catch (error) {
    return (error as Error).message;
  }
}

async function pushesOf(userId: string) {
  const answer = await fetch(`${t.httpUrl}/_local/pushes?userId=${encodeURIComponent(userId)}`);
  return ((await answer.json()) as { items: Record<string, unknown>[] }).items;
}

async function send(userId: string, conversationId: string, body: string) {
  const answer = await api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

const isSuspended = (e: Record<string, unknown>) => e.type === 'error' && e.code === 'suspended';

describe.skipIf(!t.isLocal)('suspensions', () => {
  it('close the open sockets with error suspended, refuse new ones and HTTP; lifting restores both', async () => {
    const [mod, bob, carol] = await t.newUsers('mod', 'bob', 'carol');
    const conversationId = (
      await api(t, bob, 'POST', '/conversations', { type: 'direct', memberIds: [carol] })
    ).body.conversationId as string;
    const [phone, laptop, carols] = [await open(bob), await open(bob), await open(carol)];
    const closed = [once(phone.socket, 'close'), once(laptop.socket, 'close')];

    expect(await suspend(mod, bob, { reason: 'spam', note: 'ignored' })).toMatchObject({ status: 204 });
    // Each of bob's sockets is told first, then closed by the server.
    await Promise.all(closed);
    for (const socket of [phone, laptop]) {
      expect(socket.events.filter(isSuspended)).toEqual([
        { type: 'error', code: 'suspended', message: 'You are suspended' },
      ]);
    }
    expect(await connectOutcome(bob)).toBe('HTTP 403');
    const refused = await api(t, bob, 'GET', '/conversations');
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'suspended' } } });
    const sent = await api(t, bob, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'while-suspended',
      body: 'hello?',
    });
    expect(sent.body.error.code).toBe('suspended');

    // Carol is untouched: her socket works, and she can still reach the conversation.
    carols.send({ action: 'heartbeat', reply: true });
    await carols.waitFor((e) => e.type === 'pong');
    expect(carols.events.filter(isSuspended)).toEqual([]);
    expect((await api(t, carol, 'GET', `/conversations/${conversationId}/messages`)).status).toBe(200);

    expect((await lift(mod, bob)).status).toBe(204);
    expect((await lift(mod, bob)).status).toBe(204);
    expect(await connectOutcome(bob)).toBe('open');
    expect((await api(t, bob, 'GET', '/conversations')).status).toBe(200);
    await send(bob, conversationId, 'back');
  });

  it('are for moderators only: anyone else is refused forbidden, and nothing happens to the user', async () => {
    const [eve, bob] = await t.newUsers('eve', 'bob');
    const bobs = await open(bob);
    const refused = await api(t, eve, 'PUT', `/moderation/suspensions/${bob}`, { reason: 'spam' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await api(t, eve, 'DELETE', `/moderation/suspensions/${bob}`)).body.error.code).toBe('forbidden');
    bobs.send({ action: 'heartbeat', reply: true });
    await bobs.waitFor((e) => e.type === 'pong');
    expect((await api(t, bob, 'GET', '/conversations')).status).toBe(200);

    const [mod] = await t.newUsers('mod');
    for (const body of [{}, { reason: '' }, { reason: 'spam', until: '2020-01-01T00:00:00Z' }]) {
      expect((await suspend(mod, bob, body)).body.error.code, JSON.stringify(body)).toBe('validation_failed');
    }
    expect((await suspend(mod, mod)).body.error.code).toBe('validation_failed');
  });

  it('with until a few seconds ahead end by themselves: the error says until when, then everything works', async () => {
    const [mod, bob] = await t.newUsers('mod', 'bob');
    const until = new Date(Date.now() + 3_000).toISOString();
    const bobs = await open(bob);
    expect((await suspend(mod, bob, { reason: 'cool off', until })).status).toBe(204);
    const notice = await bobs.waitFor(isSuspended);
    expect(notice.message).toContain(until);
    const refused = await api(t, bob, 'GET', '/unread');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(until);
    expect(await connectOutcome(bob)).toBe('HTTP 403');

    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 50));
    expect((await api(t, bob, 'GET', '/unread')).status).toBe(200);
    expect(await connectOutcome(bob)).toBe('open');
  }, 20_000);

  it("send no push to a suspended user's devices; after lifting they get pushes again", async () => {
    const [mod, alice, bob, carol] = await t.newUsers('mod', 'alice', 'bob', 'carol');
    for (const user of [bob, carol]) {
      const registered = await api(t, user, 'POST', '/devices', { platform: 'fcm', token: `token-${user}` });
      expect(registered.status).toBe(201);
    }
    const team = (
      await api(t, alice, 'POST', '/conversations', { type: 'group', name: 'T', memberIds: [bob, carol] })
    ).body.conversationId as string;
    expect((await suspend(mod, bob)).status).toBe(204);

    await send(alice, team, 'while bob is suspended');
    await eventually(async () => expect(await pushesOf(carol)).toHaveLength(1));
    // The worker handles a job's recipients together: carol's push recorded, bob's would be too by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await pushesOf(bob)).toEqual([]);

    expect((await lift(mod, bob)).status).toBe(204);
    const other = (await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] })).body
      .conversationId as string;
    await send(alice, other, 'welcome back');
    await eventually(async () => expect(await pushesOf(bob)).toHaveLength(1));
  });
});
