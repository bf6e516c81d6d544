/**
 * A database stall longer than the functions' time-out, and a function that dies mid-send, through the public protocol: a runtime of its own whose
 * functions reach DynamoDB Local through a proxy that can be frozen, with a short function time-out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatClient, createChatClient, type OutgoingMessage } from '../../client/src/index.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { type StallProxy, startStallProxy } from '../../local/stall-proxy.ts';
import { answerReserveMs } from '../../shared/deadline.ts';
import { eventually, runtimeTarget, socketPool, type Target } from '../support/target.ts';

const functionTimeoutMs = 2_000;
let runtime: LocalRuntime;
let proxy: StallProxy;
let t: Target;
let sockets: ReturnType<typeof socketPool>;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    httpPort: 0,
    wsPort: 0,
    streamPollIntervalMs: 20,
    functionTimeoutMs,
    dynamoDbProxy: async (endpoint) => {
      proxy = await startStallProxy(endpoint);
      return proxy.endpoint;
    },
  });
  t = runtimeTarget(runtime);
  sockets = socketPool(t);
});

afterAll(async () => {
  await proxy?.stop();
  await runtime?.stop();
});

afterEach(async () => {
  proxy.thaw();
  await sockets.closeAll();
});

async function call(userId: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${t.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await t.tokenFor(userId)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON the API answers
  return { status: answer.status, body: (text ? JSON.parse(text) : undefined) as any };
}

async function directConversation(): Promise<{ alice: string; bob: string; conversationId: string }> {
  const [alice, bob] = await t.newUsers('alice', 'bob');
  const created = await call(alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
  expect(created.status).toBe(201);
  return { alice, bob, conversationId: created.body.conversationId };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const handlerDeadlineMs = functionTimeoutMs - answerReserveMs(functionTimeoutMs);

describe('a stall longer than the function time-out', () => {
  it('answers a stalled sendMessage with a typed error naming the send, never a late ack, and a retry stores it once', async () => {
    const { alice, conversationId } = await directConversation();
    const socket = await sockets.open(alice);
    proxy.freeze();
    const startedAt = Date.now();
    socket.send({ action: 'sendMessage', conversationId, clientMessageId: 'stalled-1', body: 'hello?' });
    const error = await socket.waitFor((e) => e.type === 'error', 5_000);
    const answeredAfterMs = Date.now() - startedAt;
    expect(error).toMatchObject({
      type: 'error',
      code: 'internal',
      action: 'sendMessage',
      clientMessageId: 'stalled-1',
    });
    expect(error.message).toMatch(/reference/);
    // Before Lambda's time-out, so the client never sees API Gateway's untyped answer.
    expect(answeredAfterMs).toBeGreaterThanOrEqual(handlerDeadlineMs - 100);
    expect(answeredAfterMs).toBeLessThan(functionTimeoutMs);

    // The database answers again: the abandoned invocation's write lands, but its ack is never pushed.
    proxy.thaw();
    await pause(1_000);
    expect(socket.events.filter((e) => e.type !== 'error')).toEqual([]);
    expect(
      socket.events.some((e) => typeof e.message === 'string' && e.message.includes('Internal server')),
    ).toBe(false);

    // The SDK's retry, with the same id: acked, and stored once.
    socket.send({ action: 'sendMessage', conversationId, clientMessageId: 'stalled-1', body: 'hello?' });
    const ack = await socket.waitFor((e) => e.type === 'message.ack');
    expect(ack).toMatchObject({ clientMessageId: 'stalled-1', message: { body: 'hello?', seq: 1 } });
    const history = await call(alice, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(['hello?']);
  });

  it('answers a stalled HTTP call with the error envelope, 503 internal', async () => {
    const { alice, conversationId } = await directConversation();
    proxy.freeze();
    const answer = await call(alice, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'stalled-http',
      body: 'anyone?',
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: { code: 'internal', message: expect.stringMatching(/reference/) } });
  });

  it('through the SDK: a stalled send shows failed with `internal` at once, and its retry is stored once', async () => {
    const { alice, conversationId } = await directConversation();
    const outgoing: OutgoingMessage[] = [];
    const client: ChatClient = createChatClient({
      httpUrl: t.httpUrl,
      wsUrl: t.wsUrl,
      userId: alice,
      getToken: () => t.tokenFor(alice),
      WebSocket: WebSocket as never,
    });
    client.on('outgoing', (message) => outgoing.push(message));
    client.connect();
    try {
      await eventually(async () => expect(client.status).toBe('open'));
      proxy.freeze();
      const { clientMessageId } = client.send(conversationId, 'through the stall');
      const failed = await eventually(async () => {
        const last = outgoing.at(-1);
        expect(last?.status).toBe('failed');
        return last;
      }, functionTimeoutMs + 1_000);
      expect(failed).toMatchObject({ clientMessageId, error: { code: 'internal' } });

      proxy.thaw();
      await pause(500);
      expect(client.retry(clientMessageId)?.status).toBe('pending');
      const sent = await eventually(async () => {
        const last = outgoing.at(-1);
        expect(last?.status).toBe('sent');
        return last;
      });
      expect(sent).toMatchObject({ clientMessageId, message: { seq: 1, body: 'through the stall' } });
      const history = await call(alice, 'GET', `/conversations/${conversationId}/messages`);
      expect(history.body.items).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });

  it('a send whose function dies between its write and its delivery still reaches the other member, once', async () => {
    const { alice, bob, conversationId } = await directConversation();
    const [aliceSocket, bobSocket] = [await sockets.open(alice), await sockets.open(bob)];
    await pause(300);
    // The send's own read of the members' connections never answers: the function times out right after it
    // recorded the send, before it delivered or stored the message.
    let sessionReads = 0;
    proxy.freeze(
      (call) => call.operation === 'BatchGetItem' && call.body.includes('PRESENCE') && sessionReads++ === 0,
    );

    aliceSocket.send({ action: 'sendMessage', conversationId, clientMessageId: 'dies', body: 'made it' });
    // Acked once recorded, before the read that stalls: the sender is never told of the failure after it.
    const ack = await aliceSocket.waitFor((e) => e.type === 'message.ack', 5_000);
    const arrived = await bobSocket.waitFor((e) => e.type === 'message.new', 15_000);

    expect(ack).toMatchObject({ clientMessageId: 'dies', message: { body: 'made it', seq: 1 } });
    expect(arrived).toMatchObject({ message: { body: 'made it', seq: 1, senderId: alice } });
    await pause(500);
    expect(bobSocket.events.filter((e) => e.type === 'message.new')).toHaveLength(1);
    expect(aliceSocket.events.filter((e) => e.type === 'error')).toEqual([]);
    const history = await call(bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(['made it']);
  });
});
