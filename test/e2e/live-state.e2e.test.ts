import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { keys } from '../../shared/store/keys.ts';
import { api, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

async function directBetween(a: string, b: string) {
  const { body } = await api(t, a, 'POST', '/conversations', { type: 'direct', memberIds: [b] });
  return body.conversationId as string;
}

/**
 * Sends a WebSocket upgrade request for `userId` and closes its side at once, before any answer: `$connect`
 * runs for a client that is already gone by the time the handshake would complete.
 */
async function abandonHandshake(userId: string): Promise<void> {
  const url = new URL(t.wsUrl);
  const token = await t.tokenFor(userId);
  const socket = connect({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'wss:' ? 443 : 80)),
  });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  const path = `${url.pathname}?token=${encodeURIComponent(token)}`;
  socket.end(
    [
      `GET ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  await new Promise((resolve) => socket.once('close', resolve));
}

/** The connection attributes of a user's presence item (local runtime only: it reads the table). */
async function recordedConnections(userId: string): Promise<string[]> {
  const { dynamoDbEndpoint, tableName } = inject('local');
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamoDbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: keys.presence(userId), ConsistentRead: true }),
  );
  documents.destroy();
  return Object.keys(Item ?? {}).filter((name) => name.startsWith('conn:'));
}

describe('presence', () => {
  it('shows a contact coming online and going offline, and answers GET /presence from state', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    // Bob opened it, so his presence is Alice's to see (presence shows only where the user engaged).
    await directBetween(bob, alice);
    const aliceSocket = await open(alice);

    const bobSocket = await open(bob);
    expect(await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob)).toMatchObject({
      status: 'online',
    });
    const online = await api(t, alice, 'GET', `/presence?userIds=${bob},${alice}`);
    expect(online.body.users).toEqual([
      { userId: bob, status: 'online', lastSeenAt: expect.any(String) },
      { userId: alice, status: 'online', lastSeenAt: expect.any(String) },
    ]);

    await bobSocket.close();
    expect(
      await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'offline'),
    ).toMatchObject({
      lastSeenAt: expect.any(String),
    });
    expect((await api(t, alice, 'GET', `/presence?userIds=${bob}`)).body.users[0].status).toBe('offline');
  });

  it('announces a user with one device on connect and close only, never on a heartbeat', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    // Bob opened it, so his presence is Alice's to see (presence shows only where the user engaged).
    await directBetween(bob, alice);
    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob);

    for (const n of [1, 2, 3]) {
      bobSocket.send({ action: 'heartbeat', reply: true });
      await bobSocket.waitFor(() => bobSocket.ofType('pong').length === n);
    }
    // A presence change goes out before the heartbeat's pong; give a stray one time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await bobSocket.close();
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'offline');

    const fromBob = aliceSocket.ofType('presence').filter((e) => e.userId === bob);
    expect(fromBob.map((e) => e.status)).toEqual(['online', 'offline']);
  });

  it('runs $disconnect for a client that left during its handshake: contacts hear offline, no record stays', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    // Bob opened it, so his presence is Alice's to see (presence shows only where the user engaged).
    await directBetween(bob, alice);
    const aliceSocket = await open(alice);

    await abandonHandshake(bob);

    // $connect did run (Alice heard Bob come online), and so must $disconnect.
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'online');
    await aliceSocket.waitFor((e) => e.type === 'presence' && e.userId === bob && e.status === 'offline');
    expect((await api(t, alice, 'GET', `/presence?userIds=${bob}`)).body.users[0].status).toBe('offline');
    if (t.isLocal) await eventually(async () => expect(await recordedConnections(bob)).toEqual([]));
  });

  it('answers a heartbeat with pong only when asked, telling the interval to keep', async () => {
    const [beat] = await t.newUsers('beat');
    const socket = await open(beat);

    socket.send({ action: 'heartbeat' });
    socket.send({ action: 'heartbeat', reply: false });
    socket.send({ action: 'heartbeat', reply: true });

    const pong = await socket.waitFor((e) => e.type === 'pong');
    expect(pong).toEqual({
      type: 'pong',
      at: expect.any(String),
      heartbeatIntervalSeconds: expect.any(Number),
    });
    // Beating at that pace keeps the socket open: API Gateway closes it after 10 minutes without a frame.
    expect(pong.heartbeatIntervalSeconds).toBeLessThan(600);
    // The two heartbeats that did not ask were answered with nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.events).toHaveLength(1);
  });
});

describe('typing', () => {
  it('reaches the other member with an expiry, not the typist, and a stop clears it', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await directBetween(alice, bob);
    const [aliceSocket, bobSocket] = [await open(alice), await open(bob)];

    aliceSocket.send({ action: 'typing', conversationId });
    const started = await bobSocket.waitFor((e) => e.type === 'typing' && e.isTyping === true);
    aliceSocket.send({ action: 'typing', conversationId, isTyping: false });
    await bobSocket.waitFor((e) => e.type === 'typing' && e.isTyping === false);

    expect(started).toMatchObject({ conversationId, userId: alice });
    const expiresIn = Date.parse(started.expiresAt as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(10_000);
    expect(aliceSocket.ofType('typing')).toEqual([]);
  });

  it('refuses typing in a conversation one is not a member of', async () => {
    const [a, b, strangerId] = await t.newUsers('a', 'b', 'stranger');
    const conversationId = await directBetween(a, b);
    const stranger = await open(strangerId);
    stranger.send({ action: 'typing', conversationId });
    expect(await stranger.waitFor((e) => e.type === 'error')).toMatchObject({
      code: 'not_member',
      action: 'typing',
    });
  });
});

describe('read receipts and unread', () => {
  it('tells the writer about the read and the reader’s devices about the new unread counts', async () => {
    const [writer, reader] = await t.newUsers('writer', 'reader');
    const conversationId = await directBetween(writer, reader);
    for (const n of [1, 2, 3]) {
      await api(t, writer, 'POST', `/conversations/${conversationId}/messages`, {
        clientMessageId: `m${n}`,
        body: `m${n}`,
      });
    }
    expect((await api(t, reader, 'GET', '/unread')).body).toEqual({
      total: 3,
      conversations: [{ conversationId, count: 3 }],
    });
    const [writerSocket, readerPhone, readerLaptop] = [
      await open(writer),
      await open(reader),
      await open(reader),
    ];

    readerPhone.send({ action: 'markRead', conversationId, seq: 2 });

    expect(await writerSocket.waitFor((e) => e.type === 'read')).toEqual({
      type: 'read',
      conversationId,
      userId: reader,
      seq: 2,
    });
    const unread = { type: 'unread', conversationId, count: 1, total: 1 };
    expect(await readerPhone.waitFor((e) => e.type === 'unread')).toEqual(unread);
    expect(await readerLaptop.waitFor((e) => e.type === 'unread')).toEqual(unread);
    const viaHttp = await api(t, reader, 'POST', `/conversations/${conversationId}/read`, { seq: 1 });
    expect(viaHttp.body).toEqual({ conversationId, seq: 2, unreadCount: 1 });
  });

  it('refuses a negative or fractional seq and too many presence ids', async () => {
    const [a, b] = await t.newUsers('a', 'b');
    const conversationId = await directBetween(a, b);
    const socket = await open(a);
    socket.send({ action: 'markRead', conversationId, seq: -1 });
    socket.send({ action: 'markRead', conversationId, seq: 1.5 });
    await socket.waitFor(() => socket.ofType('error').length === 2);
    expect(socket.ofType('error').map((e) => [e.code, e.message])).toEqual([
      ['validation_failed', expect.stringMatching(/^seq:/)],
      ['validation_failed', expect.stringMatching(/^seq:/)],
    ]);
    const ids = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');
    const tooMany = await api(t, a, 'GET', `/presence?userIds=${ids}`);
    expect(tooMany).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
  });
});
