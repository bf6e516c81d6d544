/**
 * Domain events through the local runtime: the table stream's second consumer publishes them, and the local
 * recording publisher serves them at `GET /_local/events?type=` as EventBridge would receive them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

interface RecordedEvent {
  type: string;
  time: string;
  detail: Record<string, unknown>;
}

async function eventsOf(type: string): Promise<RecordedEvent[]> {
  const answer = await fetch(`${t.httpUrl}/_local/events?type=${encodeURIComponent(type)}`);
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { items: RecordedEvent[] }).items;
}

const ofMessage = (events: RecordedEvent[], messageId: string) =>
  events.filter((event) => event.detail.messageId === messageId);

/** The created event of a message, once published. */
const createdEventOf = (messageId: string) =>
  eventually(async () => {
    const [event, ...more] = ofMessage(await eventsOf('chat.message.created'), messageId);
    expect(event).toBeDefined();
    expect(more).toEqual([]);
    return event as RecordedEvent;
  }, t.eventTimeoutMs);

async function directConversation(alice: string, bob: string) {
  const answer = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body.conversationId as string;
}

/** A group of `creator` and `memberIds` with one message of the creator's. */
async function groupWithMessage(creator: string, memberIds: string[]) {
  const created = await api(t, creator, 'POST', '/conversations', { type: 'group', name: 'g', memberIds });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const conversationId = created.body.conversationId as string;
  const sent = await api(t, creator, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: 'ev-g',
    body: 'buy cheap watches',
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return { conversationId, messageId: sent.body.messageId as string };
}

/** The events of `type` whose detail has the fields of `match`, once there are `count` of them. */
const eventsMatching = (type: string, match: Record<string, unknown>, count = 1) =>
  eventually(async () => {
    const found = (await eventsOf(type)).filter((event) =>
      Object.entries(match).every(([key, value]) => event.detail[key] === value),
    );
    expect(found).toHaveLength(count);
    return found;
  }, t.eventTimeoutMs);

describe.skipIf(!t.isLocal)('domain events', () => {
  it('a message sent over WebSocket is chat.message.created with its ids and text, and no token', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const deviceToken = `token${Math.random().toString(36).slice(2)}`;
    expect((await api(t, bob, 'POST', '/devices', { platform: 'fcm', token: deviceToken })).status).toBe(201);
    const conversationId = await directConversation(alice, bob);
    const socket = await open(alice);

    socket.send({ action: 'sendMessage', conversationId, clientMessageId: 'ev-1', body: 'ship it' });
    const ack = (await socket.waitFor((e) => e.type === 'message.ack')) as {
      message: { messageId: string; seq: number; createdAt: string };
    };
    const event = await createdEventOf(ack.message.messageId);

    expect(event).toEqual({
      type: 'chat.message.created',
      time: ack.message.createdAt,
      detail: {
        eventId: `chat.message.created/${conversationId}/${ack.message.messageId}`,
        conversationId,
        messageId: ack.message.messageId,
        seq: ack.message.seq,
        senderId: alice,
        sentAt: ack.message.createdAt,
        body: 'ship it',
      },
    });
    const published = JSON.stringify(await eventsOf(''));
    expect(published).not.toContain(await t.tokenFor(alice));
    expect(published).not.toContain(deviceToken);
  });

  it("an edit and the author's deletion publish nothing", async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await directConversation(alice, bob);
    const send = async (clientMessageId: string, body: string) => {
      const answer = await api(t, alice, 'POST', `/conversations/${conversationId}/messages`, {
        clientMessageId,
        body,
      });
      expect(answer.status).toBe(201);
      return answer.body.messageId as string;
    };
    const messageId = await send('ev-2', 'tpyo');
    await createdEventOf(messageId);
    const path = `/conversations/${conversationId}/messages/${messageId}`;
    expect((await api(t, alice, 'PATCH', path, { body: 'typo' })).status).toBe(200);
    expect((await api(t, alice, 'DELETE', path)).status).toBe(204);

    // The conversation's items are in one stream shard, in order: once a later message's event is out, the
    // edit and the deletion before it have been through the publisher.
    await createdEventOf(await send('ev-3', 'later'));
    const all = await eventsOf('');
    expect(ofMessage(all, messageId).map((event) => event.type)).toEqual(['chat.message.created']);
  });

  it('each report of a message is chat.message.reported with the count so far, never naming a reporter', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const { conversationId, messageId } = await groupWithMessage(alice, [bob, carol]);
    const path = `/conversations/${conversationId}/messages/${messageId}/reports`;
    const first = await api(t, bob, 'POST', path, { reason: 'spam' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const [reported] = await eventsMatching('chat.message.reported', { messageId });
    // The report group's id (what moderators list and resolve), not the reporter's own report's.
    const reportId = reported?.detail.reportId;
    expect(reported?.detail).toEqual({
      eventId: `chat.message.reported/${reportId}/1`,
      reportId: expect.any(String),
      conversationId,
      messageId,
      reportedUserId: alice,
      reporterCount: 1,
      reasons: ['spam'],
      firstReportedAt: expect.any(String),
    });

    expect((await api(t, carol, 'POST', path, { reason: 'abuse' })).status).toBe(201);
    const both = await eventsMatching('chat.message.reported', { messageId }, 2);
    expect(both[1]?.detail).toMatchObject({ reportId, reporterCount: 2, reasons: ['abuse', 'spam'] });
    expect(JSON.stringify(both)).not.toContain(bob);
    expect(JSON.stringify(both)).not.toContain(carol);
  });

  it("a moderator's removal is chat.message.removed, and a suspension chat.user.suspended", async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const moderator = await t.newModerator('mod');
    const { conversationId, messageId } = await groupWithMessage(alice, [bob]);
    const removal = await api(t, moderator, 'DELETE', `/moderation/messages/${conversationId}/${messageId}`);
    expect(removal.status, JSON.stringify(removal.body)).toBe(204);
    const [removed] = await eventsMatching('chat.message.removed', { messageId });
    expect(removed?.detail).toMatchObject({
      conversationId,
      messageId,
      senderId: alice,
      removedBy: 'moderator',
      at: removed?.time,
    });

    const until = new Date(Date.now() + 3_600_000).toISOString();
    const suspension = await api(t, moderator, 'PUT', `/moderation/suspensions/${alice}`, {
      reason: 'spam',
      until,
    });
    expect(suspension.status, JSON.stringify(suspension.body)).toBe(204);
    const [suspended] = await eventsMatching('chat.user.suspended', { userId: alice });
    expect(suspended?.detail).toEqual({
      eventId: `chat.user.suspended/${alice}/${suspended?.time}`,
      userId: alice,
      until,
      reason: 'spam',
      at: suspended?.time,
    });
    expect((await api(t, moderator, 'DELETE', `/moderation/suspensions/${alice}`)).status).toBe(204);
  });
});
