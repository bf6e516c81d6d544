/**
 * Replies and mentions through the public protocol: `replyTo` and `mentions` on a send (HTTP and WebSocket), the
 * inbox's `unreadMentions`, and the pushes a mention causes (the local sink, `GET /_local/pushes`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { limits } from '../../shared/domain/limits.ts';
import { api, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

async function group(creator: string, memberIds: string[]) {
  const answer = await api(t, creator, 'POST', '/conversations', { type: 'group', name: 'Team', memberIds });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.conversationId as string;
}

const sendAs = (userId: string, conversationId: string, fields: Record<string, unknown>) =>
  api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body: 'hello',
    ...fields,
  });

async function send(userId: string, conversationId: string, fields: Record<string, unknown> = {}) {
  const answer = await sendAs(userId, conversationId, fields);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

async function inboxEntry(userId: string, conversationId: string) {
  const inbox = await api(t, userId, 'GET', '/conversations');
  return inbox.body.items.find(
    (item: { conversation: { conversationId: string } }) =>
      item.conversation.conversationId === conversationId,
  );
}

async function pushesOf(userId: string) {
  const answer = await fetch(`${t.httpUrl}/_local/pushes?userId=${encodeURIComponent(userId)}`);
  return ((await answer.json()) as { items: { messageId: string }[] }).items;
}

describe('replies', () => {
  it('quote the message answered: its id, seq, sender and the start of its body, live and in history', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const long = `${'é'.repeat(limits.replyPreviewChars)} and more`;
    const quoted = await send(alice, conversationId, { body: long });
    const [aliceSocket, bobSocket] = [await open(alice), await open(bob)];

    bobSocket.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'r1',
      body: 'agreed',
      replyTo: quoted.messageId,
    });
    const replyTo = {
      messageId: quoted.messageId,
      seq: quoted.seq,
      senderId: alice,
      preview: 'é'.repeat(limits.replyPreviewChars),
    };
    const ack = await bobSocket.waitFor((e) => e.type === 'message.ack');
    expect(ack.message).toMatchObject({ body: 'agreed', replyTo });
    const live = await aliceSocket.waitFor((e) => e.type === 'message.new');
    expect(live.message).toMatchObject({ replyTo });
    // The send stores the message once it has delivered it (the ack comes first): history has it a moment later.
    await eventually(async () => {
      const history = await api(t, alice, 'GET', `/conversations/${conversationId}/messages`);
      expect(history.body.items[0]).toMatchObject({ body: 'agreed', replyTo });
      expect(history.body.items[1].replyTo).toBeUndefined();
    });
  });

  it('to a deleted message works and shows an empty preview, as does one deleted after it was quoted', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const quoted = await send(alice, conversationId, { body: 'oops' });
    const deleted = await api(
      t,
      alice,
      'DELETE',
      `/conversations/${conversationId}/messages/${quoted.messageId}`,
    );
    expect(deleted.status).toBe(204);
    const reply = await send(bob, conversationId, { body: 'what was it?', replyTo: quoted.messageId });
    expect(reply.replyTo).toEqual({
      messageId: quoted.messageId,
      seq: quoted.seq,
      senderId: alice,
      preview: '',
    });

    // A message deleted after it was quoted: the quote in history shows an empty preview from then on.
    const later = await send(alice, conversationId, { body: 'also oops' });
    const quoting = await send(bob, conversationId, { body: 'hm', replyTo: later.messageId });
    expect(quoting.replyTo.preview).toBe('also oops');
    await api(t, alice, 'DELETE', `/conversations/${conversationId}/messages/${later.messageId}`);
    const history = await api(
      t,
      bob,
      'GET',
      `/conversations/${conversationId}/messages?after=${quoting.seq - 1}`,
    );
    expect(history.body.items[0]).toMatchObject({ messageId: quoting.messageId, replyTo: { preview: '' } });
    // The inbox shows the reply as the last message, its quote blanked too.
    const inbox = await api(t, bob, 'GET', '/conversations');
    const entry = inbox.body.items.find(
      (item: { conversation: { conversationId: string } }) =>
        item.conversation.conversationId === conversationId,
    );
    expect(entry.lastMessage).toMatchObject({ messageId: quoting.messageId, replyTo: { preview: '' } });
  });

  it('refuse a messageId that is not of this conversation, and outsiders learn nothing', async () => {
    const [alice, bob, eve] = await t.newUsers('alice', 'bob', 'eve');
    const conversationId = await group(alice, [bob]);
    const elsewhere = await send(alice, await group(alice, [eve]));
    const here = await send(alice, conversationId);
    for (const replyTo of [elsewhere.messageId, `${here.messageId}x`, '999-X']) {
      const answer = await sendAs(bob, conversationId, { replyTo });
      expect(answer.body.error, replyTo).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('replyTo'),
      });
    }
    const outsider = await sendAs(eve, conversationId, { replyTo: here.messageId });
    expect(outsider.body.error.code).toBe('not_member');
  });
});

describe('mentions', () => {
  it('must be members, at most the limit, each once', async () => {
    const [alice, bob, eve] = await t.newUsers('alice', 'bob', 'eve');
    const conversationId = await group(alice, [bob]);
    for (const mentions of [
      [eve],
      [bob, bob],
      Array.from({ length: limits.maxMentionsPerMessage + 1 }, (_, i) => `u${i}`),
    ]) {
      const answer = await sendAs(alice, conversationId, { mentions });
      expect(answer.body.error?.code, JSON.stringify(mentions)).toBe('validation_failed');
    }
    const socket = await open(alice);
    socket.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'm1',
      body: 'hi',
      mentions: [eve],
    });
    const error = await socket.waitFor((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'validation_failed', clientMessageId: 'm1' });
    const sent = await send(alice, conversationId, { mentions: [bob] });
    expect(sent.mentions).toEqual([bob]);
  });

  it('count in the inbox as unreadMentions, exactly, until read', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const conversationId = await group(alice, [bob, carol]);
    const first = await send(alice, conversationId, { body: '@bob look', mentions: [bob] });
    await send(alice, conversationId, { body: 'no mention' });
    await send(carol, conversationId, { body: '@bob @alice', mentions: [bob, alice] });
    // The sender's own mention of themselves never counts.
    await send(carol, conversationId, { body: 'note to self', mentions: [carol] });

    await eventually(async () =>
      expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 4, unreadMentions: 2 }),
    );
    expect(await inboxEntry(alice, conversationId)).toMatchObject({ unreadMentions: 1 });
    expect(await inboxEntry(carol, conversationId)).toMatchObject({ unreadMentions: 0 });
    expect((await inboxEntry(bob, conversationId)).lastMessage).toMatchObject({ mentions: [carol] });

    expect(
      (await api(t, bob, 'POST', `/conversations/${conversationId}/read`, { seq: first.seq })).status,
    ).toBe(200);
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 3, unreadMentions: 1 });
    // A later mention after reading counts alone: the read ones are gone for good.
    await send(alice, conversationId, { body: 'again', mentions: [bob] });
    await eventually(async () =>
      expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadMentions: 2 }),
    );
    expect((await api(t, bob, 'POST', `/conversations/${conversationId}/read`, { seq: 1_000 })).status).toBe(
      200,
    );
    expect(await inboxEntry(bob, conversationId)).toMatchObject({ unreadCount: 0, unreadMentions: 0 });
  });

  it.skipIf(!t.isLocal)(
    'push to a mentioned member who muted the conversation, never from someone they block',
    async () => {
      const [alice, bob, carol, dave] = await t.newUsers('alice', 'bob', 'carol', 'dave');
      for (const userId of [bob, carol]) {
        const device = await api(t, userId, 'POST', '/devices', {
          platform: 'fcm',
          token: `token-${userId}`,
        });
        expect(device.status).toBe(201);
      }
      const conversationId = await group(alice, [bob, carol, dave]);
      for (const userId of [bob, carol])
        expect((await api(t, userId, 'PUT', `/conversations/${conversationId}/mute`, {})).status).toBe(204);
      expect((await api(t, carol, 'PUT', `/blocks/${dave}`)).status).toBe(204);

      const plain = await send(alice, conversationId, { body: 'lunch?' });
      const mention = await send(dave, conversationId, {
        body: '@bob @carol lunch!',
        mentions: [bob, carol],
      });
      await eventually(async () =>
        expect((await pushesOf(bob)).map((push) => push.messageId)).toEqual([mention.messageId]),
      );
      // The job that pushed bob was carol's too: nothing came for her, from the muted plain message or the block.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await pushesOf(carol)).toEqual([]);
      expect((await pushesOf(bob)).map((push) => push.messageId)).not.toContain(plain.messageId);
    },
  );
});
