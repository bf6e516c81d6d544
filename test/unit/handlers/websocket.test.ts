import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type WebSocketEvent, webSocketHandler } from '../../../shared/handlers/websocket.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

const frame = { action: 'sendMessage', conversationId: 'c-1', clientMessageId: 'm-1', body: 'hi' };

const event = {
  requestContext: {
    connectionId: 'socket-1',
    routeKey: 'sendMessage',
    authorizer: { userId: 'alice', tokenExpiresAt: 4_102_444_800 },
  },
  body: JSON.stringify(frame),
} as unknown as WebSocketEvent;

const context = (remainingMs = 30_000) =>
  ({
    awsRequestId: 'r-1',
    functionName: 'ws',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

const pong = { type: 'pong', at: '2026-12-01T00:00:00.000Z', heartbeatIntervalSeconds: 540 } as const;

describe('webSocketHandler', () => {
  it('answers a failure with an error naming the frame', async () => {
    const chat = inMemoryChat();
    const handler = webSocketHandler(
      async () => {
        throw new Error('table unreachable');
      },
      { context: () => chat.ctx },
    );

    await handler(event, context());

    expect(chat.notifier.eventsAt('socket-1')).toEqual([
      expect.objectContaining({
        type: 'error',
        code: 'internal',
        action: 'sendMessage',
        clientMessageId: 'm-1',
      }),
    ]);
  });

  it('never follows its reply with an error: a later failure or the deadline is only logged', async () => {
    const chat = inMemoryChat();
    const failing = webSocketHandler(
      async ({ reply }) => {
        await reply(pong);
        throw new Error('table unreachable');
      },
      { context: () => chat.ctx },
    );
    const stalling = webSocketHandler(
      async ({ reply }) => {
        await reply(pong);
        await new Promise(() => undefined);
      },
      { context: () => chat.ctx },
    );

    await expect(failing(event, context())).resolves.toEqual({ statusCode: 200, body: '' });
    await expect(stalling(event, context(50))).resolves.toEqual({ statusCode: 200, body: '' });

    expect(chat.notifier.eventsAt('socket-1')).toEqual([pong, pong]);
  });
});
