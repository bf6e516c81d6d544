/**
 * Reactions through the public protocol: PUT/DELETE .../reactions/{emoji}, the `message.reactions` event on the
 * members' sockets, and the reactions read back with history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { limits } from '../../shared/domain/limits.ts';
import { api, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

async function group(creator: string, memberIds: string[]) {
  const answer = await api(t, creator, 'POST', '/conversations', {
    type: 'group',
    name: 'Team',
    memberIds: memberIds.slice(0, limits.maxMembersPerAdd),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const conversationId = answer.body.conversationId as string;
  for (let start = limits.maxMembersPerAdd; start < memberIds.length; start += limits.maxMembersPerAdd) {
    const userIds = memberIds.slice(start, start + limits.maxMembersPerAdd);
    const added = await api(t, creator, 'POST', `/conversations/${conversationId}/members`, { userIds });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
  return conversationId;
}

async function send(userId: string, conversationId: string, body = 'react to me') {
  const answer = await api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { messageId: string; seq: number };
}

const reactionPath = (conversationId: string, messageId: string, emoji: string) =>
  `/conversations/${conversationId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;
const react = (userId: string, conversationId: string, messageId: string, emoji: string) =>
  api(t, userId, 'PUT', reactionPath(conversationId, messageId, emoji));
const unreact = (userId: string, conversationId: string, messageId: string, emoji: string) =>
  api(t, userId, 'DELETE', reactionPath(conversationId, messageId, emoji));

async function reactionsInHistory(userId: string, conversationId: string, messageId: string) {
  const page = await api(t, userId, 'GET', `/conversations/${conversationId}/messages?limit=10`);
  expect(page.status).toBe(200);
  return page.body.items.find((m: { messageId: string }) => m.messageId === messageId)?.reactions;
}

describe('reactions', () => {
  it('counts 100 concurrent reactors exactly, and every member hears the final count', async () => {
    const [author, ...reactors] = await t.newUsers('author', ...Array.from({ length: 100 }, () => 'reactor'));
    const conversationId = await group(author, reactors);
    const { messageId, seq } = await send(author, conversationId);
    const [authorSocket, reactorSocket] = [await open(author), await open(reactors[0] ?? '')];

    const startedAt = Date.now();
    const answers = await Promise.all(
      reactors.map((userId) => react(userId, conversationId, messageId, '👍')),
    );
    console.info(`100 concurrent reactions answered in ${Date.now() - startedAt} ms`);
    expect(answers.map((answer) => answer.status)).toEqual(reactors.map(() => 204));

    const reactions = await reactionsInHistory(author, conversationId, messageId);
    expect(reactions).toEqual([{ emoji: '👍', count: 100, userIds: expect.any(Array) }]);
    expect(reactions[0].userIds).toHaveLength(limits.maxRecentReactors);
    expect(reactors).toEqual(expect.arrayContaining(reactions[0].userIds));
    for (const socket of [authorSocket, reactorSocket]) {
      const final = await socket.waitFor(
        (e) => e.type === 'message.reactions' && JSON.stringify(e.reactions).includes('"count":100'),
      );
      expect(final).toMatchObject({ conversationId, messageId, seq });
    }
  }, 120_000);

  it('is idempotent per user and emoji, tells the members once, and goes on removal', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const { messageId, seq } = await send(alice, conversationId);
    const aliceSocket = await open(alice);

    expect((await react(bob, conversationId, messageId, '🎉')).status).toBe(204);
    expect((await react(bob, conversationId, messageId, '🎉')).status).toBe(204);
    const event = await aliceSocket.waitFor((e) => e.type === 'message.reactions');
    expect(event).toEqual({
      type: 'message.reactions',
      conversationId,
      messageId,
      seq,
      reactions: [{ emoji: '🎉', count: 1, userIds: [bob] }],
    });
    // A bare symbol is the same reaction as its emoji form.
    expect((await react(alice, conversationId, messageId, '❤')).status).toBe(204);
    expect((await react(bob, conversationId, messageId, '❤️')).status).toBe(204);
    expect(await reactionsInHistory(bob, conversationId, messageId)).toEqual([
      { emoji: '❤️', count: 2, userIds: [bob, alice] },
      { emoji: '🎉', count: 1, userIds: [bob] },
    ]);
    await eventually(async () => expect(aliceSocket.ofType('message.reactions')).toHaveLength(3));

    expect((await unreact(bob, conversationId, messageId, '🎉')).status).toBe(204);
    expect((await unreact(bob, conversationId, messageId, '🎉')).status).toBe(204);
    expect((await unreact(bob, conversationId, messageId, '❤️')).status).toBe(204);
    expect(await reactionsInHistory(bob, conversationId, messageId)).toEqual([
      { emoji: '❤️', count: 1, userIds: [alice] },
    ]);
    await aliceSocket.waitFor(
      (e) =>
        e.type === 'message.reactions' &&
        JSON.stringify(e.reactions) === JSON.stringify([{ emoji: '❤️', count: 1, userIds: [alice] }]),
    );
    // Two removals told, the repeat not.
    await eventually(async () => expect(aliceSocket.ofType('message.reactions')).toHaveLength(5));
    expect((await unreact(alice, conversationId, messageId, '❤️')).status).toBe(204);
    expect(await reactionsInHistory(bob, conversationId, messageId)).toBeUndefined();
  });

  it('refuses what is not one emoji, outsiders, unknown and deleted messages', async () => {
    const [alice, bob, eve] = await t.newUsers('alice', 'bob', 'eve');
    const conversationId = await group(alice, [bob]);
    const { messageId } = await send(alice, conversationId);
    for (const emoji of ['ok', '👍👍', 'a👍', '%F0%9F']) {
      const answer = await react(bob, conversationId, messageId, emoji);
      expect(answer.body?.error?.code, emoji).toBe('validation_failed');
    }
    const outsider = await react(eve, conversationId, messageId, '👍');
    expect(outsider).toMatchObject({ status: 403, body: { error: { code: 'not_member' } } });
    expect((await unreact(eve, conversationId, messageId, '👍')).body.error.code).toBe('not_member');
    expect((await react(bob, conversationId, `${messageId}x`, '👍')).status).toBe(404);

    expect(
      (await api(t, alice, 'DELETE', `/conversations/${conversationId}/messages/${messageId}`)).status,
    ).toBe(204);
    expect((await react(bob, conversationId, messageId, '👍')).body.error.code).toBe('conflict');
  });

  it('holds the limits: distinct emoji per message, reactions per user per message', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const { messageId } = await send(alice, conversationId);
    const emoji = [
      ...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩🤔🤨😐😑😶🙄😏😣😥😮🤐😯😪😫🥱😴😌😛😜😝🤤😒😓😔😕🙃🤑😲🙁😖😞😟😤😢',
    ];
    expect(emoji.length).toBeGreaterThan(limits.maxReactionEmojiPerMessage);

    const mine = emoji.slice(0, limits.maxReactionsPerUserPerMessage);
    for (const e of mine) expect((await react(bob, conversationId, messageId, e)).status).toBe(204);
    const overUser = await react(
      bob,
      conversationId,
      messageId,
      emoji[limits.maxReactionsPerUserPerMessage] ?? '',
    );
    expect(overUser.body.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('emoji'),
    });
    // A repeat at the limit changes nothing and is no error.
    expect((await react(bob, conversationId, messageId, mine[0] ?? '')).status).toBe(204);

    const [carol, dave] = await t.newUsers('carol', 'dave');
    await api(t, alice, 'POST', `/conversations/${conversationId}/members`, { userIds: [carol, dave] });
    const rest = emoji.slice(limits.maxReactionsPerUserPerMessage, limits.maxReactionEmojiPerMessage);
    for (const [index, e] of rest.entries()) {
      const userId = index < limits.maxReactionsPerUserPerMessage ? carol : dave;
      expect((await react(userId, conversationId, messageId, e)).status).toBe(204);
    }
    const overEmoji = await react(
      alice,
      conversationId,
      messageId,
      emoji[limits.maxReactionEmojiPerMessage] ?? '',
    );
    expect(overEmoji.body.error.code).toBe('validation_failed');
    // An emoji the message has already is still welcome.
    expect((await react(alice, conversationId, messageId, mine[0] ?? '')).status).toBe(204);
    const reactions = await reactionsInHistory(alice, conversationId, messageId);
    expect(reactions).toHaveLength(limits.maxReactionEmojiPerMessage);
    expect(reactions[0]).toEqual({ emoji: mine[0], count: 2, userIds: [alice, bob] });
  });

  it('follows the blocks of direct conversations: a blocked user cannot react there', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const direct = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    const conversationId = direct.body.conversationId as string;
    const { messageId } = await send(alice, conversationId);
    expect((await api(t, alice, 'PUT', `/blocks/${bob}`)).status).toBe(204);
    expect((await react(bob, conversationId, messageId, '👍')).body.error.code).toBe('forbidden');
    expect((await react(alice, conversationId, messageId, '👍')).status).toBe(204);
  });
});
