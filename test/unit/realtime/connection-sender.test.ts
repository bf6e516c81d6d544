import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveConnection } from '../../../shared/domain/ports.ts';
import { ConnectionSender } from '../../../shared/realtime/connection-sender.ts';

const management = mockClient(ApiGatewayManagementApiClient);
const connection = (connectionId: string, userId = 'u'): LiveConnection => ({
  userId,
  connectionId,
  expiresAtMs: Infinity,
});
const serviceError = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

function makeSender() {
  const onGone = vi.fn(async (_: LiveConnection) => undefined);
  const sender = new ConnectionSender({
    client: new ApiGatewayManagementApiClient({}),
    onGone,
    baseDelayMs: 1,
  });
  return { sender, onGone };
}

afterEach(() => management.reset());

describe('ConnectionSender', () => {
  it('prunes exactly the gone connection and still delivers to the others', async () => {
    management
      .on(PostToConnectionCommand)
      .resolves({})
      .on(PostToConnectionCommand, { ConnectionId: 'gone' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));
    const { sender, onGone } = makeSender();

    const report = await sender.send(
      [connection('a', 'alice'), connection('gone', 'bob'), connection('c', 'carol')],
      { type: 'pong', at: 'now', heartbeatIntervalSeconds: 540 },
    );

    expect(report).toEqual({ delivered: 2, pruned: 1, failed: 0, retries: 0 });
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(onGone).toHaveBeenCalledWith(connection('gone', 'bob'));
    expect(management).toHaveReceivedCommandWith(PostToConnectionCommand, { ConnectionId: 'a' });
  });

  it('retries throttling with backoff until the frame goes through', async () => {
    management
      .on(PostToConnectionCommand)
      .rejectsOnce(serviceError('LimitExceededException', 429))
      .rejectsOnce(serviceError('TooManyRequestsException', 429))
      .resolves({});
    const { sender } = makeSender();

    const report = await sender.send([connection('a')], {
      type: 'pong',
      at: 'now',
      heartbeatIntervalSeconds: 540,
    });

    expect(report).toEqual({ delivered: 1, pruned: 0, failed: 0, retries: 2 });
    expect(management).toHaveReceivedCommandTimes(PostToConnectionCommand, 3);
  });

  it('gives up on a server error after a bounded number of attempts without pruning', async () => {
    management.on(PostToConnectionCommand).rejects(serviceError('InternalServerError', 500));
    const { sender, onGone } = makeSender();

    const report = await sender.send([connection('a')], {
      type: 'pong',
      at: 'now',
      heartbeatIntervalSeconds: 540,
    });

    expect(report).toEqual({ delivered: 0, pruned: 0, failed: 1, retries: 3 });
    expect(management).toHaveReceivedCommandTimes(PostToConnectionCommand, 4);
    expect(onGone).not.toHaveBeenCalled();
  });

  it('does not retry a client error such as 403', async () => {
    management.on(PostToConnectionCommand).rejects(serviceError('ForbiddenException', 403));
    const { sender } = makeSender();

    const report = await sender.send([connection('a')], {
      type: 'pong',
      at: 'now',
      heartbeatIntervalSeconds: 540,
    });

    expect(report.failed).toBe(1);
    expect(management).toHaveReceivedCommandTimes(PostToConnectionCommand, 1);
  });

  it('sends the event as JSON', async () => {
    management.on(PostToConnectionCommand).resolves({});
    const { sender } = makeSender();

    await sender.send([connection('a')], {
      type: 'pong',
      at: '2026-01-01T00:00:00.000Z',
      heartbeatIntervalSeconds: 540,
    });

    const data = management.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(data))).toEqual({
      type: 'pong',
      at: '2026-01-01T00:00:00.000Z',
      heartbeatIntervalSeconds: 540,
    });
  });
});
