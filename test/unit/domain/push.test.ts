/**
 * Who gets a push, on in-memory ports: the deliveries queue one job per message listing the members without a
 * live connection (once, whichever delivery it takes), and the worker's decision sends to members still in the
 * conversation who do not block the sender, have not muted it and have a device, with their unread total.
 */
import { describe, expect, it } from 'vitest';
import { blockUser } from '../../../shared/domain/blocks.ts';
import { addMembers, createConversation, removeMember } from '../../../shared/domain/conversations.ts';
import { muteConversation, registerDevice } from '../../../shared/domain/devices.ts';
import { fanOut, type MessageChange } from '../../../shared/domain/fan-out.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import type { StoredSend } from '../../../shared/domain/ports.ts';
import { privatePushBody, pushCollapseMs, sendPushes } from '../../../shared/domain/push.ts';
import { type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';

const changeOf = (send: StoredSend): MessageChange => ({
  id: send.message.messageId,
  kind: 'new',
  message: send.message,
  membersVersion: send.membersVersion,
  ...(send.delivery === 'direct' ? { deliveredOnSend: true } : {}),
});

/** A group of alice (online), bob and carol, each with a phone. */
async function group(settings: Parameters<typeof inMemoryChat>[0] = {}) {
  const chat = inMemoryChat(settings);
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob', 'carol'] },
  });
  for (const userId of ['alice', 'bob', 'carol'])
    await registerDevice(chat.ctx, { userId, platform: 'apns', token: `token-${userId}` });
  await chat.online('alice', 'a1');
  return { chat, conversationId: conversation.conversationId };
}

async function send(chat: InMemoryChat, conversationId: string, body: string, userId = 'alice') {
  await sendMessage(chat.ctx, { userId, conversationId, clientMessageId: body, body, connectionId: 'a1' });
}

/** Runs the worker over every queued job, as SQS would hand them over. */
async function work(chat: InMemoryChat) {
  const reports = [];
  for (const job of chat.pushQueue.jobs.splice(0)) reports.push(await sendPushes(chat.ctx, job));
  return reports;
}

const pushedTo = (chat: InMemoryChat) => chat.pushSender.sent.map((push) => push.device.userId).sort();

describe('queueing push jobs', () => {
  it('the send queues one job listing the members without a connection, never the sender', async () => {
    const { chat, conversationId } = await group();
    await chat.online('carol', 'c1');
    await send(chat, conversationId, 'hi');

    expect(chat.pushQueue.jobs).toHaveLength(1);
    expect(chat.pushQueue.jobs[0]).toMatchObject({ recipientIds: ['bob'], onlineCount: 1 });
    expect(chat.pushSender.sent).toEqual([]);
  });

  it('the stream consumer queues for a message it delivers, not for one the send delivered', async () => {
    const { chat, conversationId } = await group({ settings: { directDeliveryMaxConnections: 0 } });
    await send(chat, conversationId, 'via stream');
    expect(chat.pushQueue.jobs).toEqual([]);
    await fanOut(chat.ctx, chat.messages.stored.map(changeOf));
    expect(chat.pushQueue.jobs.map((job) => job.recipientIds)).toEqual([['bob', 'carol']]);

    const direct = await group();
    await send(direct.chat, direct.conversationId, 'direct');
    direct.chat.pushQueue.jobs.length = 0;
    await fanOut(direct.chat.ctx, direct.chat.messages.stored.map(changeOf));
    expect(direct.chat.pushQueue.jobs).toEqual([]);
  });

  it('a send that cannot queue leaves the message to the stream, which queues it', async () => {
    const { chat, conversationId } = await group();
    chat.pushQueue.failing = true;
    await send(chat, conversationId, 'queue down');
    expect(chat.messages.stored[0]?.delivery).toBe('stream');

    chat.pushQueue.failing = false;
    await fanOut(chat.ctx, chat.messages.stored.map(changeOf));
    expect(chat.pushQueue.jobs.map((job) => job.recipientIds)).toEqual([['bob', 'carol']]);
  });
});

describe('sending a job', () => {
  it('pushes the group name, the text and the total unread count to each offline member', async () => {
    const { chat, conversationId } = await group();
    await send(chat, conversationId, 'one');
    await send(chat, conversationId, 'two');
    chat.pushQueue.jobs.splice(0, 1);
    await work(chat);

    expect(pushedTo(chat)).toEqual(['bob', 'carol']);
    expect(chat.pushSender.sent[0]?.notification).toMatchObject({ title: 'Team', body: 'two', badge: 2 });
  });

  it('names the sender in a direct conversation, and says only a generic line when payloads are private', async () => {
    const chat = inMemoryChat({ settings: { pushPrivatePayloads: 1 } });
    const { conversation } = await createConversation(chat.ctx, {
      userId: 'alice',
      input: { type: 'direct', memberIds: ['bob'] },
    });
    await registerDevice(chat.ctx, { userId: 'bob', platform: 'fcm', token: 'bob-phone' });
    await send(chat, conversation.conversationId, 'secret');
    await work(chat);

    expect(chat.pushSender.sent.map((push) => push.notification)).toMatchObject([
      { title: 'alice', body: privatePushBody, badge: 1 },
    ]);
  });

  it('skips muted members until their mute ends, removed members, and those without a device', async () => {
    const { chat, conversationId } = await group();
    await muteConversation(chat.ctx, {
      userId: 'bob',
      conversationId,
      until: new Date(chat.clock.now() + 60_000).toISOString(),
    });
    await addMembers(chat.ctx, { userId: 'alice', conversationId, userIds: ['dave'] });
    await send(chat, conversationId, 'first');
    await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'carol' });
    const [report] = await work(chat);

    expect(chat.pushSender.sent).toEqual([]);
    expect(report?.skipped).toMatchObject({ muted: 1, notAllowed: 1, noDevice: 1 });

    chat.clock.advance(60_001);
    await send(chat, conversationId, 'after the mute');
    await work(chat);
    expect(pushedTo(chat)).toEqual(['bob']);
  });

  it('never pushes a blocked sender to the member who blocks them', async () => {
    const { chat, conversationId } = await group();
    await blockUser(chat.ctx, { userId: 'bob', targetId: 'alice' });
    await send(chat, conversationId, 'hello');
    await work(chat);
    expect(pushedTo(chat)).toEqual(['carol']);
  });

  it('a redelivered job pushes nothing again, and a burst collapses to one push per window', async () => {
    const { chat, conversationId } = await group();
    await send(chat, conversationId, 'one');
    const [job] = chat.pushQueue.jobs;
    await work(chat);
    if (job) await sendPushes(chat.ctx, job);
    await send(chat, conversationId, 'two');
    await work(chat);
    expect(chat.pushSender.sent).toHaveLength(2);

    chat.clock.advance(pushCollapseMs);
    if (job) await sendPushes(chat.ctx, job);
    await send(chat, conversationId, 'three');
    await work(chat);
    expect(chat.pushSender.sent.map((push) => push.notification.body)).toEqual([
      'one',
      'one',
      'three',
      'three',
    ]);
  });

  it('retries only the failed push, and forgets a device whose token the service rejects', async () => {
    const { chat, conversationId } = await group();
    const [bobsPhone] = await chat.devices.list('bob');
    chat.pushSender.failing.add(bobsPhone?.deviceId ?? '');
    chat.pushSender.invalidTokens.add('token-carol');
    await send(chat, conversationId, 'hi');
    const [job] = chat.pushQueue.jobs;
    const [report] = await work(chat);
    expect(report).toMatchObject({ sent: 0, failed: 1, invalid: 1 });
    expect(await chat.devices.list('carol')).toEqual([]);

    chat.pushSender.failing.clear();
    if (job) expect(await sendPushes(chat.ctx, job)).toMatchObject({ sent: 1, failed: 0 });
    expect(pushedTo(chat)).toEqual(['bob']);
  });
});

describe('devices', () => {
  it('the same token again is the same device; another user registering it takes it over', async () => {
    const chat = inMemoryChat();
    const first = await registerDevice(chat.ctx, { userId: 'bob', platform: 'apns', token: 'phone' });
    const again = await registerDevice(chat.ctx, { userId: 'bob', platform: 'apns', token: 'phone' });
    expect(again).toEqual({ device: first.device, created: false });

    const moved = await registerDevice(chat.ctx, { userId: 'carol', platform: 'apns', token: 'phone' });
    expect(moved.created).toBe(true);
    expect(await chat.devices.list('bob')).toEqual([]);
    expect((await chat.devices.list('carol')).map((d) => d.deviceId)).toEqual([moved.device.deviceId]);
  });
});
