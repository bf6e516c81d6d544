/**
 * Reports and moderator actions through the public protocol: a member reports a message once, moderators (and
 * only they) see the open reports with the message, remove it for every member, and resolve the report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, type ChatSocket, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

async function groupWithMessage(creator: string, memberIds: string[], body: string) {
  const created = await api(t, creator, 'POST', '/conversations', { type: 'group', name: 'g', memberIds });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const conversationId = created.body.conversationId as string;
  const sent = await api(t, creator, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body,
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return { conversationId, messageId: sent.body.messageId as string };
}

const reportPath = (conversationId: string, messageId: string) =>
  `/conversations/${conversationId}/messages/${messageId}/reports`;

/** The open report of a message, as a moderator lists it (paging through the queue). */
async function openReportOf(moderator: string, messageId: string) {
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api(t, moderator, 'GET', `/moderation/reports?status=open&limit=100${query}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    const found = page.body.items.find((item: { messageId: string }) => item.messageId === messageId);
    if (found) return found;
    cursor = page.body.cursor;
  } while (cursor);
  return undefined;
}

const deletedEvent = (socket: ChatSocket, messageId: string) =>
  socket.waitFor((e) => e.type === 'message.deleted' && e.messageId === messageId);

describe('reports', () => {
  it('a member reports a message once: 201 then 200 with the same reportId', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const { conversationId, messageId } = await groupWithMessage(alice, [bob], 'buy cheap watches');
    const first = await api(t, bob, 'POST', reportPath(conversationId, messageId), {
      reason: 'spam',
      note: 'ads',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({ reportId: expect.any(String) });
    const again = await api(t, bob, 'POST', reportPath(conversationId, messageId), { reason: 'abuse' });
    expect(again).toEqual({ status: 200, body: { reportId: first.body.reportId } });
  });

  it('refuses outsiders, one’s own message, unknown messages and unknown reasons', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const { conversationId, messageId } = await groupWithMessage(alice, [bob], 'hello');
    const outsider = await api(t, carol, 'POST', reportPath(conversationId, messageId), { reason: 'spam' });
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.code).toBe('not_member');
    const own = await api(t, alice, 'POST', reportPath(conversationId, messageId), { reason: 'spam' });
    expect(own.status).toBe(400);
    expect(own.body.error.code).toBe('validation_failed');
    const unknown = await api(t, bob, 'POST', reportPath(conversationId, `${messageId}x`), {
      reason: 'spam',
    });
    expect(unknown.status).toBe(404);
    const reason = await api(t, bob, 'POST', reportPath(conversationId, messageId), { reason: 'boring' });
    expect(reason.status).toBe(400);
    expect(reason.body.error.message).toMatch(/^reason/);
  });
});

describe('moderation', () => {
  it('is for moderators only: everyone else gets 403 forbidden from /moderation', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const { conversationId, messageId } = await groupWithMessage(alice, [bob], 'hello');
    for (const [method, path, body] of [
      ['GET', '/moderation/reports', undefined],
      ['POST', '/moderation/reports/some-report/resolve', { action: 'dismissed' }],
      ['DELETE', `/moderation/messages/${conversationId}/${messageId}`, undefined],
    ] as const) {
      const refused = await api(t, alice, method, path, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    // The message is untouched.
    const history = await api(t, bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items[0]).toMatchObject({ messageId, body: 'hello' });
    expect(history.body.items[0].deletedAt).toBeUndefined();
  });

  it('lists the open report grouped, with the message and without reporters; removes it for everyone; resolves it', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const moderator = await t.newModerator('moderator');
    const { conversationId, messageId } = await groupWithMessage(alice, [bob, carol], 'something vile');
    await api(t, bob, 'POST', reportPath(conversationId, messageId), { reason: 'abuse' });
    await api(t, carol, 'POST', reportPath(conversationId, messageId), { reason: 'violence' });

    const report = await openReportOf(moderator, messageId);
    expect(report).toMatchObject({
      reportId: expect.any(String),
      conversationId,
      messageId,
      reportedUserId: alice,
      reporterCount: 2,
      reasons: ['abuse', 'violence'],
      firstReportedAt: expect.any(String),
      status: 'open',
      message: { messageId, senderId: alice, body: 'something vile' },
    });
    expect(JSON.stringify(report)).not.toContain(bob);
    expect(JSON.stringify(report)).not.toContain(carol);

    const [aliceSocket, bobSocket] = await Promise.all([open(alice), open(bob)]);
    const removed = await api(t, moderator, 'DELETE', `/moderation/messages/${conversationId}/${messageId}`, {
      reason: 'threats',
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);
    for (const socket of [aliceSocket, bobSocket]) {
      expect(await deletedEvent(socket, messageId)).toMatchObject({ conversationId, removedBy: 'moderator' });
    }
    const history = await api(t, carol, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items[0]).toMatchObject({
      messageId,
      body: '',
      deletedAt: expect.any(String),
      removedBy: 'moderator',
    });
    // Removing it again changes nothing; the author cannot edit it back.
    expect(
      (await api(t, moderator, 'DELETE', `/moderation/messages/${conversationId}/${messageId}`)).status,
    ).toBe(204);
    const edit = await api(t, alice, 'PATCH', `/conversations/${conversationId}/messages/${messageId}`, {
      body: 'back',
    });
    expect(edit.status).toBe(409);

    const resolvePath = `/moderation/reports/${report.reportId}/resolve`;
    expect((await api(t, moderator, 'POST', resolvePath, { action: 'removed' })).status).toBe(204);
    const twice = await api(t, moderator, 'POST', resolvePath, { action: 'removed' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('conflict');
    expect(await openReportOf(moderator, messageId)).toBeUndefined();
    const resolved = await api(t, moderator, 'GET', '/moderation/reports?status=resolved&limit=100');
    expect(
      resolved.body.items.find((item: { reportId: string }) => item.reportId === report.reportId),
    ).toMatchObject({
      status: 'resolved',
      resolution: { action: 'removed', by: moderator, at: expect.any(String) },
      message: { removedBy: 'moderator' },
    });
    expect(
      (await api(t, moderator, 'POST', '/moderation/reports/no-such/resolve', { action: 'removed' })).status,
    ).toBe(404);
  });
});
