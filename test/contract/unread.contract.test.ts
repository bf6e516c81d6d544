/**
 * The unread index's contract (`UnreadIndex`), the same on every hot-state backend: the use cases on DynamoDB
 * Local with the backend's index, so every count is checked against what DynamoDB holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatContext } from '../../shared/domain/context.ts';
import { addMembers, createConversation, removeMember } from '../../shared/domain/conversations.ts';
import { muteConversation } from '../../shared/domain/devices.ts';
import { fanOut } from '../../shared/domain/fan-out.ts';
import { sendMessage } from '../../shared/domain/messaging.ts';
import type { Message } from '../../shared/domain/model.ts';
import { DerivedUnreadIndex } from '../../shared/domain/read-positions.ts';
import { getUnread, markRead } from '../../shared/domain/read-state.ts';
import { createTestChat } from '../support/chat-context.ts';
import { type HotState, hotStateBackends } from '../support/hot-state.ts';

const unique = () => Math.random().toString(36).slice(2, 10);
const byConversation = (answer: Awaited<ReturnType<typeof getUnread>>) =>
  Object.fromEntries(answer.conversations.map((c) => [c.conversationId, c.count]));

describe.each(hotStateBackends)('unread counts on $name', ({ connect }) => {
  let backend: HotState;
  let ctx: ChatContext;
  /** The same table without the backend's index: what DynamoDB alone answers. */
  let truth: ChatContext;
  beforeAll(async () => {
    backend = await connect();
    const { ctx: chat } = await createTestChat();
    truth = { ...chat, unread: new DerivedUnreadIndex(chat.conversations) };
    ctx = { ...chat, unread: backend.unread(chat.conversations) };
  });
  afterAll(() => backend.close());

  /** New user ids, one per name. */
  const users = <Names extends string[]>(...names: Names) =>
    names.map((name) => `${name}-${unique()}`) as { [K in keyof Names]: string };
  const group = async (creator: string, others: string[]) =>
    (
      await createConversation(ctx, {
        userId: creator,
        input: { type: 'group', name: 'g', memberIds: others },
      })
    ).conversation.conversationId;
  const direct = async (creator: string, other: string) =>
    (await createConversation(ctx, { userId: creator, input: { type: 'direct', memberIds: [other] } }))
      .conversation.conversationId;
  const send = async (userId: string, conversationId: string) =>
    (await sendMessage(ctx, { userId, conversationId, clientMessageId: unique(), body: 'x' })).message;
  /** The user's counts by conversation, checked to be DynamoDB's own. */
  async function countsOf(userId: string): Promise<Record<string, number>> {
    const [answer, fromTable] = await Promise.all([getUnread(ctx, userId), getUnread(truth, userId)]);
    const counts = byConversation(answer);
    expect(counts).toEqual(byConversation(fromTable));
    expect(answer.total).toBe(fromTable.total);
    return counts;
  }

  it('counts others’ messages after sends and read marks, never the reader’s own', async () => {
    const [alice, bob] = users('alice', 'bob');
    const team = await group(alice, [bob]);
    const pair = await direct(bob, alice);
    expect(await countsOf(bob)).toEqual({});
    for (let i = 0; i < 3; i++) await send(alice, team);
    await send(alice, pair);
    await send(bob, pair);
    expect(await countsOf(bob)).toEqual({ [team]: 3 });
    expect(await countsOf(alice)).toEqual({ [pair]: 1 });

    // Sending marks read up to one's own message; a read mark never moves back.
    await send(bob, team);
    expect(await countsOf(bob)).toEqual({});
    await markRead(ctx, { userId: bob, conversationId: team, seq: 2 });
    await send(alice, team);
    expect(await countsOf(bob)).toEqual({ [team]: 1 });
    expect(await countsOf(alice)).toEqual({ [pair]: 1 });
    await markRead(ctx, { userId: alice, conversationId: pair, seq: 99 });
    expect(await countsOf(alice)).toEqual({});
  });

  it('counts from joining, stops on leaving or removal, and counts what arrived while away on rejoining', async () => {
    const [admin, carol, dave] = users('admin', 'carol', 'dave');
    const team = await group(admin, [carol]);
    const pair = await direct(admin, dave);
    await send(admin, team);
    await send(admin, pair);
    expect(await countsOf(dave)).toEqual({ [pair]: 1 });

    await addMembers(ctx, { userId: admin, conversationId: team, userIds: [dave] });
    await send(admin, team);
    expect(await countsOf(dave)).toEqual({ [pair]: 1, [team]: 2 });

    await removeMember(ctx, { userId: admin, conversationId: team, targetId: dave });
    await removeMember(ctx, { userId: dave, conversationId: pair, targetId: dave });
    await send(admin, team);
    await send(admin, pair);
    expect(await countsOf(dave)).toEqual({});
    expect(await countsOf(carol)).toEqual({ [team]: 3 });

    // Back in the direct conversation by starting it again: the position he left with, and what came since.
    await direct(dave, admin);
    expect(await countsOf(dave)).toEqual({ [pair]: 2 });
  });

  it('counts muted conversations as any other', async () => {
    const [alice, bob] = users('alice', 'bob');
    const team = await group(alice, [bob]);
    await muteConversation(ctx, { userId: bob, conversationId: team });
    await send(alice, team);

    expect(await countsOf(bob)).toEqual({ [team]: 1 });
  });

  it('changes nothing on redelivered or out-of-order updates, and catches up a send the index missed', async () => {
    const [alice, bob] = users('alice', 'bob');
    const team = await group(alice, [bob]);
    const first = await send(alice, team);
    expect(await countsOf(bob)).toEqual({ [team]: 1 });
    // A send whose function died before telling the index: DynamoDB has the message, the stream brings it.
    const missed = (
      await sendMessage(
        { ...ctx, unread: new DerivedUnreadIndex(ctx.conversations) },
        { userId: alice, conversationId: team, clientMessageId: unique(), body: 'x' },
      )
    ).message;
    const redeliver = (message: Message, id: string) =>
      fanOut(ctx, [{ id, kind: 'new', message, membersVersion: 1, deliveredOnSend: true }]);

    await redeliver(missed, '2');
    expect(await countsOf(bob)).toEqual({ [team]: 2 });
    await markRead(ctx, { userId: bob, conversationId: team, seq: 1 });
    for (const [message, id] of [
      [missed, '2'],
      [first, '1'],
      [missed, '2'],
    ] as const)
      await redeliver(message, id);
    await ctx.unread.readTo({ conversationId: team, userId: bob, seq: 0 });
    await ctx.unread.joined({ conversationId: team, userIds: [bob], seq: 0 });

    expect(await countsOf(bob)).toEqual({ [team]: 1 });
  });

  it('rebuilds from DynamoDB after the cache is flushed, and keeps counting exactly after', async () => {
    const [alice, bob, carol] = users('alice', 'bob', 'carol');
    const [small, larger, pair] = [
      await group(alice, [bob]),
      await group(alice, [bob, carol]),
      await direct(alice, bob),
    ];
    for (const id of [small, larger, pair]) await send(alice, id);
    await send(alice, larger);
    await send(bob, pair);
    await markRead(ctx, { userId: bob, conversationId: larger, seq: 1 });
    const before = await countsOf(bob);

    await backend.flush();
    expect(await countsOf(bob)).toEqual(before);

    // Changes while nothing is cached, then on the rebuilt cache.
    await backend.flush();
    await send(alice, small);
    await markRead(ctx, { userId: bob, conversationId: larger, seq: 2 });
    expect(await countsOf(bob)).toEqual({ [small]: 2 });
    await removeMember(ctx, { userId: alice, conversationId: small, targetId: bob });
    expect(await countsOf(bob)).toEqual({});
  });

  it('keeps a read mark made while the counts are being rebuilt', async () => {
    const [alice, bob] = users('alice', 'bob');
    const team = await group(alice, [bob]);
    for (let i = 0; i < 5; i++) await send(alice, team);
    await backend.flush();
    // A rebuild whose read of DynamoDB is overtaken by a read mark (whose own count builds the cache meanwhile).
    const overtaken = backend.unread({
      allMemberships: async (userId) => {
        const memberships = await truth.conversations.allMemberships(userId);
        await markRead(ctx, { userId: bob, conversationId: team, seq: 3 });
        return memberships;
      },
      seqPositions: (ids, userId) => truth.conversations.seqPositions(ids, userId),
    });

    await overtaken.positions(bob);

    expect(await countsOf(bob)).toEqual({ [team]: 2 });
  });
});
