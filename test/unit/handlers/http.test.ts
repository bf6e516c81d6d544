import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HttpEvent, httpHandler } from '../../../shared/handlers/http.ts';

const event = (sub: unknown) =>
  ({
    requestContext: { authorizer: { jwt: { claims: { sub } } } },
    headers: {},
  }) as unknown as HttpEvent;

const context = { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe('httpHandler', () => {
  // The container's context is built (no call made) from the environment.
  beforeAll(() => {
    process.env.TABLE_NAME ||= 'unit';
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with #, which would address another item', 'alice#META'],
    ['with /', 'a/b'],
    ['over 128 characters', 'a'.repeat(129)],
  ])('answers 401 unauthorized for a token whose sub is %s, and runs nothing', async (_, sub) => {
    let ran = false;
    const handler = httpHandler(async () => {
      ran = true;
      return { statusCode: 200 };
    });

    const answer = await handler(event(sub), context);

    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ error: { code: 'unauthorized' } });
    expect(ran).toBe(false);
  });

  it('runs the use case for a sub that keeps the id rule', async () => {
    const handler = httpHandler(async ({ userId }) => ({ statusCode: 200, body: { userId } }));

    const answer = await handler(event('alice@example.com'), context);

    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body ?? '{}')).toEqual({ userId: 'alice@example.com' });
  });
});
