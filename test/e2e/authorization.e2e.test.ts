/**
 * The authorization matrix: who may do what, over every HTTP route and WebSocket action of PROTOCOL.md.
 * A non-member must get, for a conversation that exists, exactly the answer for one that does not, and must
 * never hear about it over its socket.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTokenVerifier } from '../../shared/auth/token-verifier.ts';
import { api, ChatSocket, socketPool, type Target, target } from '../support/target.ts';

const t = target();
type Event = Record<string, unknown>;
type Json = Record<string, unknown>;

const { open, closeAll } = socketPool(t);

afterAll(closeAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A conversation id that is well formed but names nothing. */
const missingConversationId = () =>
  `01NOSUCHCONVERSATION${Math.random().toString(36).slice(2, 8).toUpperCase()}`;

/** The next `error` event a socket gets after sending `frame` (frames are sent one at a time). */
async function wsAnswer(socket: ChatSocket, frame: Json): Promise<Event> {
  const before = socket.events.length;
  socket.send(frame);
  return socket.waitFor((e) => e.type === 'error' && socket.events.indexOf(e) >= before);
}

/** What a client can see of an answer: status and the error body (the correlation header differs per call). */
interface Seen {
  status: number;
  body: unknown;
}

async function createGroup(admin: string, members: string[], name = 'group') {
  const answer = await api(t, admin, 'POST', '/conversations', { type: 'group', name, memberIds: members });
  expect(answer.status).toBe(201);
  return answer.body.conversationId as string;
}

async function send(userId: string, conversationId: string, body: string) {
  const answer = await api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    body,
  });
  expect(answer.status).toBe(201);
  return answer.body as { messageId: string; seq: number };
}

/** Everything about a conversation a member can read: the conversation with members and the whole history. */
async function snapshot(memberId: string, conversationId: string) {
  const conversation = await api(t, memberId, 'GET', `/conversations/${conversationId}`);
  const history = await api(t, memberId, 'GET', `/conversations/${conversationId}/messages?limit=100`);
  expect(conversation.status).toBe(200);
  expect(history.status).toBe(200);
  return { conversation: conversation.body, history: history.body };
}

const mentions = (events: Event[], conversationId: string) =>
  events.filter((e) => JSON.stringify(e).includes(conversationId));

describe('a non-member of a conversation', () => {
  let alice: string;
  let bob: string;
  let mallory: string;
  let eve: string;
  let conversationId = '';
  let aliceMessageId = '';
  let bobMessageId = '';
  let before: Awaited<ReturnType<typeof snapshot>>;
  let bobSocket: ChatSocket;
  let mallorySocket: ChatSocket;
  let eveSocket: ChatSocket;

  beforeAll(async () => {
    [alice, bob, mallory, eve] = await t.newUsers('alice', 'bob', 'mallory', 'eve');
    [bobSocket, mallorySocket, eveSocket] = await Promise.all([open(bob), open(mallory), open(eve)]);
    conversationId = await createGroup(alice, [bob], 'secret plans');
    aliceMessageId = (await send(alice, conversationId, 'the launch code is 0000')).messageId;
    bobMessageId = (await send(bob, conversationId, 'noted')).messageId;
    before = await snapshot(alice, conversationId);
  });

  interface Row {
    name: string;
    /** Answer of the route for this conversation id (and a message id that exists in the real one). */
    call: (conversationId: string) => Promise<Seen>;
  }
  const http =
    (method: string, path: (id: string) => string, body?: () => unknown) =>
    async (id: string): Promise<Seen> => {
      const answer = await api(t, mallory, method, path(id), body?.());
      return { status: answer.status, body: answer.body };
    };
  const ws = (frame: () => Json) => async (id: string) => {
    const event = await wsAnswer(mallorySocket, { ...frame(), conversationId: id });
    return { status: 0, body: event };
  };

  const rows: Row[] = [
    {
      name: 'GET /conversations/{id} (read it, list members)',
      call: http('GET', (id) => `/conversations/${id}`),
    },
    {
      name: 'POST /conversations/{id}/attachments (start an upload)',
      call: http(
        'POST',
        (id) => `/conversations/${id}/attachments`,
        () => ({ fileName: 'a.png', contentType: 'image/png', size: 10 }),
      ),
    },
    {
      name: 'GET /conversations/{id}/attachments/{attachmentId} (download)',
      call: http('GET', (id) => `/conversations/${id}/attachments/01ATTACHMENT`),
    },
    {
      name: 'POST /conversations/{id}/members (add itself)',
      call: http(
        'POST',
        (id) => `/conversations/${id}/members`,
        () => ({ userIds: [mallory] }),
      ),
    },
    {
      name: 'POST /conversations/{id}/members (add someone else)',
      call: http(
        'POST',
        (id) => `/conversations/${id}/members`,
        () => ({ userIds: [eve] }),
      ),
    },
    {
      name: 'DELETE /conversations/{id}/members/{self} (leave)',
      call: http('DELETE', (id) => `/conversations/${id}/members/${mallory}`),
    },
    {
      name: 'DELETE /conversations/{id}/members/{member} (remove a member)',
      call: http('DELETE', (id) => `/conversations/${id}/members/${bob}`),
    },
    {
      name: 'GET /conversations/{id}/messages (history)',
      call: http('GET', (id) => `/conversations/${id}/messages`),
    },
    {
      name: 'GET /conversations/{id}/messages?after=0 (history forward)',
      call: http('GET', (id) => `/conversations/${id}/messages?after=0&limit=100`),
    },
    {
      name: 'GET /conversations/{id}/messages?before=2 (history backward)',
      call: http('GET', (id) => `/conversations/${id}/messages?before=2&limit=1`),
    },
    {
      name: 'POST /conversations/{id}/messages (send)',
      call: http(
        'POST',
        (id) => `/conversations/${id}/messages`,
        () => ({ clientMessageId: 'm-1', body: 'hi' }),
      ),
    },
    {
      name: 'PATCH /conversations/{id}/messages/{messageId} (edit)',
      call: http(
        'PATCH',
        (id) => `/conversations/${id}/messages/${aliceMessageId}`,
        () => ({ body: 'pwned' }),
      ),
    },
    {
      name: 'DELETE /conversations/{id}/messages/{messageId} (delete)',
      call: http('DELETE', (id) => `/conversations/${id}/messages/${bobMessageId}`),
    },
    {
      name: 'POST /conversations/{id}/read (mark read)',
      call: http(
        'POST',
        (id) => `/conversations/${id}/read`,
        () => ({ seq: 1 }),
      ),
    },
    {
      name: 'WS sendMessage',
      call: ws(() => ({ action: 'sendMessage', clientMessageId: 'm-2', body: 'hello' })),
    },
    { name: 'WS typing (start)', call: ws(() => ({ action: 'typing', isTyping: true })) },
    { name: 'WS typing (stop)', call: ws(() => ({ action: 'typing', isTyping: false })) },
    { name: 'WS typing (default)', call: ws(() => ({ action: 'typing' })) },
    { name: 'WS markRead', call: ws(() => ({ action: 'markRead', seq: 2 })) },
    { name: 'WS markRead (seq 0)', call: ws(() => ({ action: 'markRead', seq: 0 })) },
  ];

  it.each(rows)('gets for $name the same refusal as for a conversation that does not exist', async (row) => {
    const existing = await row.call(conversationId);
    const missing = await row.call(missingConversationId());
    expect(existing).toEqual(missing);
    if (existing.status === 0) {
      // WebSocket: an error event with the protocol fields only.
      const event = existing.body as Event;
      expect(Object.keys(event).sort()).toEqual(
        [
          'type',
          'code',
          'message',
          'action',
          ...('clientMessageId' in event ? ['clientMessageId'] : []),
        ].sort(),
      );
      expect(event.code).toBe('not_member');
    } else {
      expect([403, 404]).toContain(existing.status);
      const body = existing.body as { error: Json };
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
      expect(['not_member', 'not_found', 'forbidden']).toContain(body.error.code);
    }
    expect(JSON.stringify(existing)).not.toContain(conversationId);
    expect(JSON.stringify(existing)).not.toMatch(new RegExp(`${alice}|${bob}|launch code`));
  });

  it('does not find the conversation in its inbox or unread counts', async () => {
    const inbox = await api(t, mallory, 'GET', '/conversations?limit=100');
    expect(inbox.status).toBe(200);
    expect(JSON.stringify(inbox.body)).not.toContain(conversationId);
    const unread = await api(t, mallory, 'GET', '/unread');
    expect(unread.status).toBe(200);
    expect(JSON.stringify(unread.body)).not.toContain(conversationId);
  });

  it('cannot see the presence of its members: they look like users never seen', async () => {
    const asked = `/presence?userIds=${bob}`;
    expect((await api(t, alice, 'GET', asked)).body.users).toEqual([
      { userId: bob, status: 'online', lastSeenAt: expect.any(String) },
    ]);
    expect((await api(t, mallory, 'GET', asked)).body.users).toEqual([
      { userId: bob, status: 'offline', lastSeenAt: null },
    ]);
  });

  it('cannot join it by creating a conversation with its members', async () => {
    const direct = await api(t, mallory, 'POST', '/conversations', { type: 'direct', memberIds: [alice] });
    expect(direct.status).toBe(201);
    expect(direct.body.conversationId).not.toBe(conversationId);
    const group = await api(t, mallory, 'POST', '/conversations', {
      type: 'group',
      name: 'secret plans',
      memberIds: [alice, bob],
    });
    expect(group.status).toBe(201);
    expect(group.body.conversationId).not.toBe(conversationId);
    expect(JSON.stringify([direct.body, group.body])).not.toContain('launch code');
  });

  it('cannot page another user’s inbox with that user’s cursor', async () => {
    // Alice has at least two conversations now (the group and mallory's direct one), so a cursor exists.
    const page = await api(t, alice, 'GET', '/conversations?limit=1');
    expect(page.status).toBe(200);
    expect(typeof page.body.cursor).toBe('string');
    const stolen = await api(t, mallory, 'GET', `/conversations?limit=1&cursor=${page.body.cursor}`);
    expect(stolen.status).toBe(400);
    expect(stolen.body).toEqual({ error: { code: 'validation_failed', message: expect.any(String) } });
  });

  it('left the conversation exactly as it was', async () => {
    expect(await snapshot(alice, conversationId)).toEqual(before);
  });

  it('hears nothing about it over its socket while the members talk, type, read, edit and delete', async () => {
    const aliceSocket = await open(alice);
    aliceSocket.send({ action: 'typing', conversationId, isTyping: true });
    aliceSocket.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'live-1',
      body: 'still secret',
    });
    const ack = await aliceSocket.waitFor((e) => e.type === 'message.ack');
    const live = ack.message as { messageId: string; seq: number };
    await bobSocket.waitFor(
      (e) => e.type === 'message.new' && (e.message as Json).messageId === live.messageId,
      t.eventTimeoutMs,
    );
    bobSocket.send({ action: 'markRead', conversationId, seq: live.seq });
    await aliceSocket.waitFor((e) => e.type === 'read' && e.userId === bob, t.eventTimeoutMs);
    expect(
      (
        await api(t, alice, 'PATCH', `/conversations/${conversationId}/messages/${live.messageId}`, {
          body: 'edited',
        })
      ).status,
    ).toBe(200);
    expect(
      (await api(t, alice, 'DELETE', `/conversations/${conversationId}/messages/${live.messageId}`)).status,
    ).toBe(204);
    await bobSocket.waitFor(
      (e) => e.type === 'message.deleted' && e.messageId === live.messageId,
      t.eventTimeoutMs,
    );
    await sleep(300);
    expect(mentions(mallorySocket.events, conversationId)).toEqual([]);
    expect(mentions(eveSocket.events, conversationId)).toEqual([]);
    expect(
      mallorySocket.events.filter((e) =>
        ['message.new', 'typing', 'read', 'message.updated', 'message.deleted'].includes(e.type as string),
      ),
    ).toEqual([]);
    // And the members heard nothing from the outsider.
    const fromMallory = (events: Event[]) =>
      events.filter(
        (e) =>
          e.senderId === mallory ||
          e.userId === mallory ||
          (e.message as Json | undefined)?.senderId === mallory,
      );
    expect(fromMallory(bobSocket.events)).toEqual([]);
    expect(fromMallory(aliceSocket.events)).toEqual([]);
  });
});

describe('author-only message changes', () => {
  let alice: string;
  let bob: string;
  let conversationId = '';
  let aliceMessage: { messageId: string; seq: number };
  let bobMessage: { messageId: string; seq: number };

  beforeAll(async () => {
    [alice, bob] = await t.newUsers('alice', 'bob');
    conversationId = await createGroup(alice, [bob]);
    aliceMessage = await send(alice, conversationId, 'from alice');
    bobMessage = await send(bob, conversationId, 'from bob');
  });

  it.each([
    { who: 'a member', actor: () => bob, target: () => aliceMessage, method: 'PATCH' },
    { who: 'a member', actor: () => bob, target: () => aliceMessage, method: 'DELETE' },
    { who: 'the group admin', actor: () => alice, target: () => bobMessage, method: 'PATCH' },
    { who: 'the group admin', actor: () => alice, target: () => bobMessage, method: 'DELETE' },
  ])(
    'refuses $method of another member’s message by $who with 403 forbidden',
    async ({ actor, target: message, method }) => {
      const path = `/conversations/${conversationId}/messages/${message().messageId}`;
      const answer = await api(t, actor(), method, path, method === 'PATCH' ? { body: 'forged' } : undefined);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    },
  );

  it('kept both messages unchanged and still lets each author edit and delete its own', async () => {
    const history = await api(t, alice, 'GET', `/conversations/${conversationId}/messages?after=0`);
    expect(history.body.items.map((m: Json) => [m.body, m.editedAt, m.deletedAt])).toEqual([
      ['from alice', undefined, undefined],
      ['from bob', undefined, undefined],
    ]);
    const path = `/conversations/${conversationId}/messages/${bobMessage.messageId}`;
    expect((await api(t, bob, 'PATCH', path, { body: 'bob edited' })).body).toMatchObject({
      body: 'bob edited',
    });
    expect((await api(t, bob, 'DELETE', path)).status).toBe(204);
  });

  it('does not let a message id of one conversation address a message through another', async () => {
    const own = await createGroup(bob, [alice]);
    const answer = await api(t, bob, 'PATCH', `/conversations/${own}/messages/${aliceMessage.messageId}`, {
      body: 'x',
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });
});

describe('admin-only member changes', () => {
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;
  let groupId = '';
  let directId = '';

  const memberIds = async (conversationId: string, asUser = alice) =>
    ((await api(t, asUser, 'GET', `/conversations/${conversationId}`)).body.members as Json[])
      .map((m) => m.userId)
      .sort();

  beforeAll(async () => {
    [alice, bob, carol, dave] = await t.newUsers('alice', 'bob', 'carol', 'dave');
    groupId = await createGroup(alice, [bob, carol]);
    const direct = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    directId = direct.body.conversationId;
  });

  it.each([
    {
      what: 'add another user',
      method: 'POST',
      path: () => `/conversations/${groupId}/members`,
      body: () => ({ userIds: [dave] }),
    },
    {
      what: 'add itself again',
      method: 'POST',
      path: () => `/conversations/${groupId}/members`,
      body: () => ({ userIds: [bob] }),
    },
    {
      what: 'remove another member',
      method: 'DELETE',
      path: () => `/conversations/${groupId}/members/${carol}`,
    },
    { what: 'remove the admin', method: 'DELETE', path: () => `/conversations/${groupId}/members/${alice}` },
  ])('refuses a non-admin member who tries to $what with 403 forbidden', async ({ method, path, body }) => {
    const answer = await api(t, bob, method, path(), body?.());
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect(await memberIds(groupId)).toEqual([alice, bob, carol].sort());
  });

  it('lets the admin add and remove others', async () => {
    expect(
      (await api(t, alice, 'POST', `/conversations/${groupId}/members`, { userIds: [dave] })).status,
    ).toBe(200);
    expect((await api(t, alice, 'DELETE', `/conversations/${groupId}/members/${dave}`)).status).toBe(204);
    expect(await memberIds(groupId)).toEqual([alice, bob, carol].sort());
  });

  it('lets any member remove itself, after which it is an outsider', async () => {
    expect((await api(t, carol, 'DELETE', `/conversations/${groupId}/members/${carol}`)).status).toBe(204);
    expect(await memberIds(groupId)).toEqual([alice, bob].sort());
    const again = await api(t, carol, 'DELETE', `/conversations/${groupId}/members/${carol}`);
    const missing = await api(
      t,
      carol,
      'DELETE',
      `/conversations/${missingConversationId()}/members/${carol}`,
    );
    expect(again).toEqual(missing);
    expect(again.body.error.code).toBe('not_member');
  });

  it.each([
    {
      what: 'adds a member',
      actor: () => alice,
      method: 'POST',
      path: () => `/conversations/${directId}/members`,
      body: () => ({ userIds: [dave] }),
    },
    {
      what: 'removes the other',
      actor: () => alice,
      method: 'DELETE',
      path: () => `/conversations/${directId}/members/${bob}`,
    },
  ])(
    // Leaving oneself is the one change allowed (test/e2e/consent.e2e.test.ts).
    'refuses member changes of a direct conversation: a member $what → 403 forbidden',
    async ({ actor, method, path, body }) => {
      const answer = await api(t, actor(), method, path(), body?.());
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
      expect(await memberIds(directId)).toEqual([alice, bob].sort());
    },
  );
});

describe('a removed member', () => {
  let alice: string;
  let bob: string;
  let carol: string;
  let conversationId = '';
  let bobSocket: ChatSocket;
  let carolSocket: ChatSocket;

  beforeAll(async () => {
    [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    [bobSocket, carolSocket] = await Promise.all([open(bob), open(carol)]);
    conversationId = await createGroup(alice, [bob, carol]);
    const first = await send(alice, conversationId, 'before removal');
    await carolSocket.waitFor(
      (e) => e.type === 'message.new' && (e.message as Json).messageId === first.messageId,
      t.eventTimeoutMs,
    );
    expect((await api(t, alice, 'DELETE', `/conversations/${conversationId}/members/${carol}`)).status).toBe(
      204,
    );
    carolSocket.events.splice(0);
  });

  it('stops receiving message.new, typing and read for the conversation', async () => {
    const later = await send(alice, conversationId, 'after removal');
    await bobSocket.waitFor(
      (e) => e.type === 'message.new' && (e.message as Json).messageId === later.messageId,
      t.eventTimeoutMs,
    );
    bobSocket.send({ action: 'typing', conversationId, isTyping: true });
    bobSocket.send({ action: 'markRead', conversationId, seq: later.seq });
    await bobSocket.waitFor(
      (e) => e.type === 'unread' && e.conversationId === conversationId,
      t.eventTimeoutMs,
    );
    await sleep(400);
    expect(
      carolSocket.events.filter((e) =>
        ['message.new', 'typing', 'read', 'unread'].includes(e.type as string),
      ),
    ).toEqual([]);
    expect(JSON.stringify(carolSocket.events)).not.toContain('after removal');
  });

  it.each([
    ['GET', 'messages'],
    ['GET', ''],
    ['POST', 'messages'],
    ['POST', 'read'],
  ])('is refused %s …/%s like an outsider', async (method, tail) => {
    const body =
      tail === 'messages'
        ? { clientMessageId: 'x', body: 'let me back' }
        : tail === 'read'
          ? { seq: 2 }
          : undefined;
    const suffix = tail ? `/${tail}` : '';
    const answer = await api(
      t,
      carol,
      method,
      `/conversations/${conversationId}${suffix}`,
      method === 'GET' ? undefined : body,
    );
    const missing = await api(
      t,
      carol,
      method,
      `/conversations/${missingConversationId()}${suffix}`,
      method === 'GET' ? undefined : body,
    );
    expect(answer).toEqual(missing);
    expect(answer.body.error.code).toBe('not_member');
  });

  it('is refused over its socket and no longer finds the conversation in its inbox or unread', async () => {
    const sent = await wsAnswer(carolSocket, {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'back',
      body: 'hi',
    });
    expect(sent.code).toBe('not_member');
    expect((await wsAnswer(carolSocket, { action: 'markRead', conversationId, seq: 1 })).code).toBe(
      'not_member',
    );
    expect((await wsAnswer(carolSocket, { action: 'typing', conversationId })).code).toBe('not_member');
    expect(JSON.stringify((await api(t, carol, 'GET', '/conversations')).body)).not.toContain(conversationId);
    expect(JSON.stringify((await api(t, carol, 'GET', '/unread')).body)).not.toContain(conversationId);
    const history = await api(t, alice, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items.map((m: Json) => m.senderId)).not.toContain(carol);
  });

  it('no longer sees the presence of the members it left', async () => {
    const bobAsSeenByCarol = await api(t, carol, 'GET', `/presence?userIds=${bob}`);
    expect(bobAsSeenByCarol.body.users).toEqual([{ userId: bob, status: 'offline', lastSeenAt: null }]);
  });
});

describe('authentication', () => {
  let mallory: string;
  let alice: string;
  let conversationId = '';
  let messageId = '';
  let tokens: Record<string, string | undefined> = {};

  /** A token with this header and payload signed by a key the runtime has never seen. */
  async function foreignToken(payload: Json, kid: string) {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
  }
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  /** 101 when the handshake succeeds (the socket is closed again), else the HTTP status of the refusal. */
  function handshakeStatus(url: string, protocols?: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols);
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', reject);
    });
  }

  beforeAll(async () => {
    [mallory, alice] = await t.newUsers('mallory', 'alice');
    conversationId = await createGroup(alice, [mallory]);
    messageId = (await send(alice, conversationId, 'hello')).messageId;
    const good = await t.tokenFor(mallory);
    const [header = '', payload = '', signature = ''] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json;
    const kid = (JSON.parse(Buffer.from(header, 'base64url').toString()) as Json).kid as string;
    const now = Math.floor(Date.now() / 1000);
    tokens = {
      'no token': undefined,
      'an empty bearer': '',
      'not a JWT': 'not-a-jwt',
      'a JWT-shaped string': 'a.b.c',
      'a token whose subject was changed': `${header}.${b64({ ...claims, sub: alice })}.${signature}`,
      'a token whose expiry was extended': `${header}.${b64({ ...claims, exp: now + 10 * 365 * 86400 })}.${signature}`,
      'an unsigned token (alg none)': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'a token signed by another key': await foreignToken(claims, kid),
      'an expired token signed by another key': await foreignToken(
        { ...claims, iat: now - 7200, exp: now - 3600 },
        kid,
      ),
      'a token for another audience': await foreignToken({ ...claims, aud: 'someone-else' }, kid),
      'a truncated token': good.slice(0, -10),
    };
  });

  const routes = [
    ['POST', () => '/conversations', { type: 'direct', memberIds: ['x'] }],
    ['GET', () => '/conversations'],
    ['GET', () => `/conversations/${conversationId}`],
    ['POST', () => `/conversations/${conversationId}/members`, { userIds: ['x'] }],
    ['DELETE', () => `/conversations/${conversationId}/members/${mallory}`],
    ['GET', () => `/conversations/${conversationId}/messages`],
    ['POST', () => `/conversations/${conversationId}/messages`, { clientMessageId: 'x', body: 'forged' }],
    ['PATCH', () => `/conversations/${conversationId}/messages/${messageId}`, { body: 'forged' }],
    ['DELETE', () => `/conversations/${conversationId}/messages/${messageId}`],
    ['POST', () => `/conversations/${conversationId}/read`, { seq: 1 }],
    ['GET', () => '/unread'],
    ['GET', () => `/presence?userIds=${alice}`],
  ] as const;

  it('refuses every HTTP route with 401 for every missing, malformed, forged or expired token', async () => {
    let cases = 0;
    for (const [label, token] of Object.entries(tokens)) {
      for (const [method, path, body] of routes) {
        const answer = await fetch(`${t.httpUrl}${path()}`, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await answer.text();
        expect(answer.status, `${label}: ${method} ${path()}`).toBe(401);
        expect(text).not.toMatch(/hello|forged|Error:|\bat \S+ \(|ValidationException|JWT|jwks/i);
        // API Gateway's JWT authorizer answers before any function runs, in its own shape, not our envelope.
        expect(JSON.parse(text), `${label}: ${method} ${path()}`).toEqual({ message: 'Unauthorized' });
        cases++;
      }
    }
    expect(cases).toBe(Object.keys(tokens).length * routes.length);
  });

  it("answers an unknown route with API Gateway's own 404, whatever the token", async () => {
    const good = await t.tokenFor(mallory);
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['PUT', '/conversations'],
      ['GET', `/conversations/${conversationId}/members`],
    ] as const) {
      for (const headers of [{ authorization: `Bearer ${good}` }, {}] as Record<string, string>[]) {
        const answer = await fetch(`${t.httpUrl}${path}`, { method, headers });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(await answer.json()).toEqual({ message: 'Not Found' });
      }
    }
  });

  it('refuses a Basic or token-scheme header, and the token in the query string of an HTTP call', async () => {
    const good = await t.tokenFor(mallory);
    const headerSets: Record<string, string>[] = [
      { authorization: `Basic ${Buffer.from(`${mallory}:x`).toString('base64')}` },
      { authorization: `Token ${good}` },
      { authorization: good },
      {},
    ];
    for (const headers of headerSets) {
      const answer = await fetch(`${t.httpUrl}/conversations?token=${good}`, { headers });
      expect(answer.status).toBe(401);
    }
  });

  it('left the conversation untouched by all the refused calls', async () => {
    const history = await api(t, alice, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items.map((m: Json) => m.body)).toEqual(['hello']);
    expect((await api(t, alice, 'GET', `/conversations/${conversationId}`)).body.members).toHaveLength(2);
  });

  it('refuses a WebSocket connection for every missing, malformed, forged or expired token', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const attempt: Target = { ...t, tokenFor: async () => token ?? '' };
      await expect(ChatSocket.open(attempt, mallory), label).rejects.toThrow(/HTTP 40[13]/);
    }
    const good = await t.tokenFor(mallory);
    const forged = tokens['a token whose subject was changed'] ?? '';
    expect(await handshakeStatus(`${t.wsUrl}?access_token=${good}`)).toBe(401);
    expect(await handshakeStatus(`${t.wsUrl}?token=`)).toBe(401);
    expect(await handshakeStatus(`${t.wsUrl}?token=${forged}`, ['chat'])).toBe(401);
    expect(await handshakeStatus(t.wsUrl, ['chat', forged])).toBe(401);
    // The control: the same helper connects with the good token.
    expect(await handshakeStatus(`${t.wsUrl}?token=${good}`)).toBe(101);
  });
});

describe('the token verifier both gateways share', () => {
  it('accepts a good token and refuses an expired, future, wrong-issuer, wrong-audience, subject-less or refresh token', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const verify = createTokenVerifier({ issuer, audiences: ['chat'], jwksUri: `${issuer}/jwks.json` });
      const sign = (claims: Json, exp: number | string = '1h', nbf?: number) => {
        const jwt = new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuedAt()
          .setExpirationTime(exp);
        if (nbf !== undefined) jwt.setNotBefore(nbf);
        return jwt.sign(privateKey);
      };
      const now = Math.floor(Date.now() / 1000);
      const good = { iss: issuer, aud: 'chat', sub: 'alice', token_use: 'access' };
      // The verifier also answers the token's `exp`, which ends the connection (see token-expiry.e2e), and its
      // Cognito groups (none here; the moderators' are in moderation.e2e).
      const accepted = { userId: 'alice', expiresAt: expect.any(Number), groups: [] };
      await expect(verify(await sign(good))).resolves.toEqual(accepted);
      await expect(verify(await sign({ ...good, 'cognito:groups': ['moderators'] }))).resolves.toEqual({
        ...accepted,
        groups: ['moderators'],
      });
      await expect(verify(await sign({ ...good, aud: undefined, client_id: 'chat' }))).resolves.toEqual(
        accepted,
      );
      const refused: [string, Promise<string>][] = [
        ['expired', sign(good, now - 10)],
        ['not yet valid', sign(good, '2h', now + 3600)],
        ['wrong issuer', sign({ ...good, iss: 'https://evil.example' })],
        ['wrong audience', sign({ ...good, aud: 'other' })],
        ['no subject', sign({ ...good, sub: undefined })],
        ['empty subject', sign({ ...good, sub: '' })],
        ['refresh token', sign({ ...good, token_use: 'refresh' })],
      ];
      for (const [label, token] of refused) await expect(verify(await token), label).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
