import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageReactionsEvent } from '../../../client/src/index.ts';
import { message, setUp } from './fake-chat.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the SDK and rich messages', () => {
  it('sends replyTo and mentions with the message, also when it goes again after a reconnect', async () => {
    const chat = setUp();
    await chat.connect();
    const sending = chat.client.send('c1', 'yes', { replyTo: '3-X', mentions: ['bob'] });
    expect(sending).toMatchObject({ status: 'pending', replyTo: '3-X', mentions: ['bob'] });
    await chat.reconnect();
    const frames = chat.sockets.flatMap((socket) => socket.sentActions('sendMessage'));
    expect(frames).toHaveLength(2);
    for (const frame of frames)
      expect(frame).toEqual({
        action: 'sendMessage',
        conversationId: 'c1',
        clientMessageId: sending.clientMessageId,
        body: 'yes',
        replyTo: '3-X',
        mentions: ['bob'],
      });
    chat.client.send('c1', 'plain');
    chat.socket().receive({
      type: 'message.ack',
      clientMessageId: sending.clientMessageId,
      message: message(1, 'alice'),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.socket().sentActions('sendMessage').at(-1)).not.toHaveProperty('replyTo');
  });

  it('passes message.reactions on as an event', async () => {
    const chat = setUp();
    await chat.connect();
    const seen: MessageReactionsEvent[] = [];
    chat.client.on('message.reactions', (event) => seen.push(event));
    const reactions = [{ emoji: '👍', count: 2, userIds: ['bob', 'carol'] }];
    chat
      .socket()
      .receive({ type: 'message.reactions', conversationId: 'c1', messageId: '1-X', seq: 1, reactions });
    expect(seen).toEqual([{ conversationId: 'c1', messageId: '1-X', seq: 1, reactions }]);
  });

  it('reacts and unreacts through the HTTP API, the emoji URL-encoded in the path', async () => {
    const chat = setUp();
    chat.server.fetch.mockImplementation(async () => ({
      ok: true,
      status: 204,
      json: async () => undefined,
    }));
    await chat.client.api.react('c1', '1-X', '👍🏽');
    await chat.client.api.unreact('c1', '1-X', '👍🏽');
    expect(chat.server.fetch.mock.calls.map(([url, init]) => [init.method, url])).toEqual([
      ['PUT', 'http://chat.test/conversations/c1/messages/1-X/reactions/%F0%9F%91%8D%F0%9F%8F%BD'],
      ['DELETE', 'http://chat.test/conversations/c1/messages/1-X/reactions/%F0%9F%91%8D%F0%9F%8F%BD'],
    ]);
  });
});
