import { afterEach, describe, expect, it } from 'vitest';
import { api, ChatSocket, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

describe('the vertical slice', () => {
  it('acks the sender and delivers message.new to the other member and the sender’s second device', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const [alicePhone, aliceLaptop, bobPhone] = [await open(alice), await open(alice), await open(bob)];
    const { status, body: conversation } = await api(t, alice, 'POST', '/conversations', {
      type: 'direct',
      memberIds: [bob],
    });
    expect(status).toBe(201);

    alicePhone.send({
      action: 'sendMessage',
      conversationId: conversation.conversationId,
      clientMessageId: 'c-1',
      body: ' hi Bob ',
    });

    const ack = await alicePhone.waitFor((e) => e.type === 'message.ack');
    expect(ack).toMatchObject({
      clientMessageId: 'c-1',
      message: { seq: 1, senderId: alice, body: 'hi Bob' },
    });
    const messageId = (ack.message as { messageId: string }).messageId;
    const isNew = (e: Record<string, unknown>) => e.type === 'message.new';
    expect(await bobPhone.waitFor(isNew, t.eventTimeoutMs)).toMatchObject({ message: { messageId, seq: 1 } });
    expect(await aliceLaptop.waitFor(isNew, t.eventTimeoutMs)).toMatchObject({
      message: { messageId, seq: 1 },
    });
    // The sending socket got its ack and no copy of its own message.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alicePhone.ofType('message.new')).toEqual([]);
  });

  it('refuses a connection without a valid token', async () => {
    await expect(ChatSocket.open({ ...t, tokenFor: async () => 'not-a-jwt' }, 'mallory')).rejects.toThrow(
      /401/,
    );
  });

  it('accepts the token as a subprotocol and echoes the chat subprotocol', async () => {
    const [carol] = await t.newUsers('carol');
    const socket = await open(carol, { protocols: ['chat', '$token'] });
    expect(socket.socket.protocol).toBe('chat');
  });

  it('answers bad frames with an error event and keeps the connection open', async () => {
    const [dave] = await t.newUsers('dave');
    const socket = await open(dave);
    socket.send('this is not json');
    socket.send({ noAction: true });
    socket.send({ action: 'launchRockets' });
    socket.send({ action: 'heartbeat', reply: true });
    await socket.waitFor((e) => e.type === 'pong');
    // Each frame is its own invocation: the answers need not come in the order the frames went.
    await eventually(async () => expect(socket.ofType('error')).toHaveLength(3));
    const errors = socket.ofType('error');
    expect(errors.map((e) => e.code)).toEqual([
      'validation_failed',
      'validation_failed',
      'validation_failed',
    ]);
    expect(errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/JSON/),
        expect.stringMatching(/action: is required/),
        expect.stringMatching(/unknown action/),
      ]),
    );
  });
});
