import { describe, expect, it } from 'vitest';
import { createConversation, removeMember } from '../../../shared/domain/conversations.ts';
import { fanOut, type MessageChange } from '../../../shared/domain/fan-out.ts';
import { limits } from '../../../shared/domain/limits.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import type { StoredSend } from '../../../shared/domain/ports.ts';
import { type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';

/** The stream record a stored message becomes, as the stream consumer decodes it. */
const changeOf = (send: StoredSend, id: string, kind: MessageChange['kind'] = 'new'): MessageChange => ({
  id,
  kind,
  message: send.message,
  membersVersion: send.membersVersion,
  ...(send.senderConnectionId ? { senderConnectionId: send.senderConnectionId } : {}),
  ...(send.moveInbox ? { moveInbox: true } : {}),
  ...(kind === 'new' && send.delivery === 'direct' ? { deliveredOnSend: true } : {}),
});

async function room(chat: InMemoryChat, name: string) {
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name, memberIds: ['bob'] },
  });
  return conversation.conversationId;
}

/** Sends as alice from socket a1 and answers the stream change of the stored message. */
async function sent(chat: InMemoryChat, conversationId: string, id: string): Promise<MessageChange> {
  await sendMessage(chat.ctx, {
    userId: 'alice',
    conversationId,
    clientMessageId: id,
    body: id,
    connectionId: 'a1',
  });
  const stored = chat.messages.stored.at(-1);
  if (!stored) throw new Error('nothing stored');
  return changeOf(stored, id);
}

/** Sends go through the stream here (threshold 0), as in a conversation above the direct-delivery limit. */
async function twoMembersOnline(settings: { directDeliveryMaxConnections?: number } = {}) {
  const chat = inMemoryChat({ settings: { directDeliveryMaxConnections: 0, ...settings } });
  await chat.online('alice', 'a1');
  await chat.online('alice', 'a2');
  await chat.online('bob', 'b1');
  return chat;
}

/** The `message.new` events a connection got. */
const newMessagesAt = (chat: InMemoryChat, connectionId: string) =>
  chat.notifier.eventsAt(connectionId).filter((event) => event.type === 'message.new');

describe('fanOut', () => {
  it("delivers a new message to every member's connections except the socket that sent it", async () => {
    const chat = await twoMembersOnline();
    const change = await sent(chat, await room(chat, 'r'), 'hello');
    chat.notifier.clear();

    const summary = await fanOut(chat.ctx, [change]);

    const event = { type: 'message.new', message: change.message };
    expect(chat.notifier.eventsAt('b1')).toEqual([event]);
    expect(chat.notifier.eventsAt('a2')).toEqual([event]);
    expect(chat.notifier.eventsAt('a1')).toEqual([]);
    expect(summary).toMatchObject({ failedIds: [], delivery: { delivered: 2, failed: 0 } });
  });

  it('delivers an edit to the sending socket too', async () => {
    const chat = await twoMembersOnline();
    const change = await sent(chat, await room(chat, 'r'), 'hello');
    chat.notifier.clear();

    await fanOut(chat.ctx, [{ ...change, kind: 'updated' }]);

    expect(chat.notifier.eventsAt('a1')).toEqual([{ type: 'message.updated', message: change.message }]);
  });

  it('reports a failed change and every later one, holding back later messages of that conversation only', async () => {
    const chat = await twoMembersOnline();
    const [first, second] = [await room(chat, 'first'), await room(chat, 'second')];
    const changes = [
      await sent(chat, first, 'f1'),
      await sent(chat, second, 's1'),
      await sent(chat, first, 'f2'),
    ];
    chat.notifier.clear();
    chat.notifier.failing.add('b1');

    const summary = await fanOut(chat.ctx, changes);

    expect(summary.failedIds).toEqual(['f1', 's1', 'f2']);
    const bodies = chat.notifier
      .eventsAt('a2')
      .map((e) => (e.type === 'message.new' ? e.message.body : e.type));
    expect(bodies.sort()).toEqual(['f1', 's1']);
  });

  it("moves the conversation to the top of every member's inbox when the change says so", async () => {
    const chat = await twoMembersOnline();
    const older = await room(chat, 'older');
    chat.clock.advance(1_000);
    const newer = await room(chat, 'newer');
    chat.clock.advance(120_000);
    const change = await sent(chat, older, 'bump');
    const before = await chat.conversations.inboxPage({ userId: 'bob', limit: 10 });

    await fanOut(chat.ctx, [change]);

    const after = await chat.conversations.inboxPage({ userId: 'bob', limit: 10 });
    expect(change.moveInbox).toBe(true);
    expect(before.memberships.map((m) => m.conversationId)).toEqual([newer, older]);
    expect(after.memberships.map((m) => m.conversationId)).toEqual([older, newer]);
  });

  it('measures how long each new message took from its send to its delivery', async () => {
    const chat = await twoMembersOnline();
    const change = await sent(chat, await room(chat, 'r'), 'hello');
    chat.clock.advance(250);

    const summary = await fanOut(chat.ctx, [change]);

    expect(summary.latenciesMs).toEqual([250]);
  });

  it('threshold 0: the send posts nothing, so the stream delivers every message', async () => {
    const chat = await twoMembersOnline();
    await sent(chat, await room(chat, 'r'), 'hello');

    expect(newMessagesAt(chat, 'b1')).toEqual([]);
    expect(chat.messages.stored.at(-1)?.delivery).toBe('stream');
  });
});

describe('delivery by the send', () => {
  it("delivers a small conversation's message itself, and its stream change then posts nothing", async () => {
    const chat = await twoMembersOnline({ directDeliveryMaxConnections: 100 });
    const change = await sent(chat, await room(chat, 'r'), 'hello');
    const event = { type: 'message.new', message: change.message };
    expect(newMessagesAt(chat, 'b1')).toEqual([event]);
    expect(newMessagesAt(chat, 'a2')).toEqual([event]);
    expect(newMessagesAt(chat, 'a1')).toEqual([]);
    chat.notifier.clear();

    const summary = await fanOut(chat.ctx, [change]);

    expect(change.deliveredOnSend).toBe(true);
    expect(newMessagesAt(chat, 'b1')).toEqual([]);
    expect(summary.delivery.delivered).toBe(0);
  });

  it('leaves a conversation with more connections than the limit to the stream', async () => {
    const chat = await twoMembersOnline({ directDeliveryMaxConnections: 1 });
    const change = await sent(chat, await room(chat, 'r'), 'hello');
    expect(newMessagesAt(chat, 'b1')).toEqual([]);

    await fanOut(chat.ctx, [change]);

    expect(newMessagesAt(chat, 'b1')).toEqual([{ type: 'message.new', message: change.message }]);
  });

  it('a send that died after its intent is stored and delivered by the stream once its time is up', async () => {
    const chat = await twoMembersOnline({ directDeliveryMaxConnections: 100 });
    const conversationId = await room(chat, 'r');
    chat.messages.store = async () => {
      throw new Error('the function died here');
    };
    await expect(
      sendMessage(chat.ctx, { userId: 'alice', conversationId, clientMessageId: 'lost', body: 'x' }),
    ).rejects.toThrow('died');
    delete (chat.messages as Partial<typeof chat.messages>).store;
    const [intent] = chat.messages.recordedIntents();
    if (!intent) throw new Error('no intent recorded');
    chat.notifier.clear();
    chat.clock.advance(limits.sendCompletionMs);

    await fanOut(chat.ctx, [{ id: 'i1', kind: 'intent', intent }]);
    const stored = chat.messages.stored.at(-1);
    if (!stored) throw new Error('the stream stored nothing');
    await fanOut(chat.ctx, [changeOf(stored, 'm1')]);

    expect(stored).toMatchObject({ delivery: 'stream', message: intent.message });
    expect(newMessagesAt(chat, 'b1')).toEqual([{ type: 'message.new', message: intent.message }]);
  });

  it('an intent whose message is in the same batch needs nothing more', async () => {
    const chat = await twoMembersOnline();
    const change = await sent(chat, await room(chat, 'r'), 'hello');
    const [intent] = chat.messages.recordedIntents();
    if (!intent) throw new Error('no intent recorded');
    const storedBefore = chat.messages.stored.length;

    await fanOut(chat.ctx, [{ id: 'i1', kind: 'intent', intent }, change]);

    expect(chat.messages.stored.length).toBe(storedBefore);
    expect(newMessagesAt(chat, 'b1')).toEqual([{ type: 'message.new', message: change.message }]);
  });
});

describe('edits and deletions', () => {
  it('go to the members of now: someone removed since the message was sent hears nothing', async () => {
    const chat = await twoMembersOnline();
    const conversationId = await room(chat, 'r');
    const change = await sent(chat, conversationId, 'hello');
    await removeMember(chat.ctx, { userId: 'alice', conversationId, targetId: 'bob' });
    chat.notifier.clear();

    await fanOut(chat.ctx, [
      { ...change, kind: 'updated' },
      { ...change, kind: 'deleted' },
    ]);

    expect(chat.notifier.eventsAt('b1')).toEqual([]);
    expect(chat.notifier.eventsAt('a2').map((e) => e.type)).toEqual(['message.updated', 'message.deleted']);
  });
});
