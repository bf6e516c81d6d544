/**
 * `DIRECT_DELIVERY_MAX_CONNECTIONS=0`: the send never delivers, every message goes through the stream fan-out
 * (the system before sends delivered small conversations themselves). A runtime of its own with that setting.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { createDocumentClient } from '../../shared/clients.ts';
import { keys } from '../../shared/store/keys.ts';
import { runtimeTarget, socketPool, type Target } from '../support/target.ts';

let runtime: LocalRuntime;
let t: Target;
let sockets: ReturnType<typeof socketPool>;

beforeAll(async () => {
  // Read by the functions when the runtime loads them; this file runs in a worker of its own.
  process.env.DIRECT_DELIVERY_MAX_CONNECTIONS = '0';
  runtime = await startLocalRuntime({ httpPort: 0, wsPort: 0, streamPollIntervalMs: 20 });
  t = runtimeTarget(runtime);
  sockets = socketPool(t);
});

afterAll(async () => {
  await runtime?.stop();
  delete process.env.DIRECT_DELIVERY_MAX_CONNECTIONS;
});

afterEach(() => sockets.closeAll());

describe('with direct delivery off', () => {
  it("delivers each message once to every other connection, through the stream, and acks the sender's", async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const created = await fetch(`${t.httpUrl}/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.tokenFor(alice)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'direct', memberIds: [bob] }),
    });
    const { conversationId } = (await created.json()) as { conversationId: string };
    const [aliceSocket, alicePhone, bobSocket] = [
      await sockets.open(alice),
      await sockets.open(alice),
      await sockets.open(bob),
    ];
    const fanOutsBefore = runtime.functions.invocations.get('StreamFanOut') ?? 0;

    aliceSocket.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'c1',
      body: 'via the stream',
    });
    const ack = await aliceSocket.waitFor((e) => e.type === 'message.ack');
    const [atBob, atPhone] = await Promise.all([
      bobSocket.waitFor((e) => e.type === 'message.new'),
      alicePhone.waitFor((e) => e.type === 'message.new'),
    ]);

    expect(atBob.message).toEqual(ack.message);
    expect(atPhone.message).toEqual(ack.message);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const socket of [bobSocket, alicePhone])
      expect(socket.events.filter((e) => e.type === 'message.new')).toHaveLength(1);
    expect(aliceSocket.events.filter((e) => e.type === 'message.new')).toEqual([]);
    expect(runtime.functions.invocations.get('StreamFanOut') ?? 0).toBeGreaterThan(fanOutsBefore);
    const stored = await createDocumentClient().send(
      new GetCommand({ TableName: runtime.tableName, Key: keys.message(conversationId, 1) }),
    );
    expect(stored.Item?.delivery).toBe('stream');
  });
});
