import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { fanOut, type MessageChange } from '../../../shared/domain/fan-out.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import { type AppendRecord, type InMemoryChat, inMemoryChat } from '../../support/in-memory-ports.ts';

/** The stream record a stored append becomes, as the stream consumer decodes it. */
const changeOf = (
  { input }: AppendRecord,
  id: string,
  kind: MessageChange['kind'] = 'new',
): MessageChange => ({
  id,
  kind,
  message: input.message,
  membersVersion: input.expectedMembersVersion,
  ...(input.senderConnectionId ? { senderConnectionId: input.senderConnectionId } : {}),
  ...(input.moveInbox ? { moveInbox: true } : {}),
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
  const stored = chat.messages.appends.filter((a) => a.outcome === 'stored').at(-1);
  if (!stored) throw new Error('nothing stored');
  return changeOf(stored, id);
}

async function twoMembersOnline() {
  const chat = inMemoryChat();
  await chat.online('alice', 'a1');
  await chat.online('alice', 'a2');
  await chat.online('bob', 'b1');
  return chat;
}

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
});
