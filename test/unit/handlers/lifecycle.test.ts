import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeadlineExceeded } from '../../../shared/deadline.ts';
import { type LifecycleEvent, lifecycleHandler } from '../../../shared/handlers/lifecycle.ts';

const event = (authorizer: { userId?: string } | undefined, headers?: Record<string, string>) =>
  ({
    requestContext: { connectionId: 'c-1', authorizer },
    ...(headers ? { headers } : {}),
  }) as LifecycleEvent;

const context = (remainingMs = 30_000) =>
  ({
    awsRequestId: 'r-1',
    functionName: 'lifecycle',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

describe('lifecycleHandler', () => {
  // The container's context is built (no call made) from the environment.
  beforeAll(() => {
    process.env.TABLE_NAME ||= 'unit';
  });

  it('runs with the user id the authorizer gave and the headers, and answers 200 with its headers', async () => {
    const seen: unknown[] = [];
    const handler = lifecycleHandler(async (request) => {
      seen.push(request);
      return { headers: { 'Sec-WebSocket-Protocol': 'chat' } };
    });
    await expect(handler(event({ userId: 'u-1' }, { Host: 'h' }), context())).resolves.toEqual({
      statusCode: 200,
      body: '',
      headers: { 'Sec-WebSocket-Protocol': 'chat' },
    });
    expect(seen).toEqual([{ userId: 'u-1', connectionId: 'c-1', headers: { Host: 'h' } }]);
  });

  it('answers 200 without headers when the use case gives none', async () => {
    const handler = lifecycleHandler(async () => ({}));
    await expect(handler(event({ userId: 'u-1' }), context())).resolves.toEqual({
      statusCode: 200,
      body: '',
    });
  });

  it('fails, so that a $connect is refused, without a user id, on an error, and past its deadline', async () => {
    const ran: string[] = [];
    const handler = lifecycleHandler(async () => {
      ran.push('run');
      return {};
    });
    await expect(handler(event(undefined), context())).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(handler(event({ userId: '' }), context())).rejects.toMatchObject({ code: 'unauthorized' });
    expect(ran).toEqual([]);
    const failing = lifecycleHandler(async () => {
      throw new Error('table unreachable');
    });
    await expect(failing(event({ userId: 'u-1' }), context())).rejects.toThrow('table unreachable');
    const stalled = lifecycleHandler(() => new Promise(() => undefined));
    await expect(stalled(event({ userId: 'u-1' }), context(50))).rejects.toBeInstanceOf(DeadlineExceeded);
  });
});
