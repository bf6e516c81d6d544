import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Suspension } from '../../../shared/domain/moderation-ports.ts';
import { groupsOfClaim, type HttpEvent, httpHandler } from '../../../shared/handlers/http.ts';
import { SuspensionStore } from '../../../shared/store/suspension-store.ts';

const event = (sub: unknown) =>
  ({
    requestContext: { authorizer: { jwt: { claims: { sub } } } },
    headers: {},
  }) as unknown as HttpEvent;

const context = { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe('httpHandler', () => {
  // The container's context is built (no call made) from the environment; every call reads the caller's
  // suspension, which these tests answer themselves.
  let suspension: Suspension | undefined;
  beforeAll(() => {
    process.env.TABLE_NAME ||= 'unit';
    vi.spyOn(SuspensionStore.prototype, 'inForce').mockImplementation(async () => suspension);
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

  it('answers 403 suspended to a suspended caller, saying until when, and runs nothing', async () => {
    let ran = false;
    const handler = httpHandler(async () => {
      ran = true;
      return { statusCode: 200 };
    });
    const until = '2026-12-02T12:00:00.000Z';
    suspension = { userId: 'bob', until, reason: 'spam', by: 'mod', at: '2026-12-01T12:00:00.000Z' };
    try {
      const answer = await handler(event('bob'), context);
      expect(answer.statusCode).toBe(403);
      expect(JSON.parse(answer.body ?? '{}')).toEqual({
        error: { code: 'suspended', message: `You are suspended until ${until}` },
      });
      expect(ran).toBe(false);
    } finally {
      suspension = undefined;
    }
  });
});

describe('groupsOfClaim', () => {
  it('reads cognito:groups as the HTTP API hands it on (Go-style), bare, or as an array', () => {
    expect(groupsOfClaim('[moderators editors]')).toEqual(['moderators', 'editors']);
    expect(groupsOfClaim('[moderators]')).toEqual(['moderators']);
    expect(groupsOfClaim('moderators')).toEqual(['moderators']);
    expect(groupsOfClaim(['moderators', 7])).toEqual(['moderators']);
    expect(groupsOfClaim('[]')).toEqual([]);
    expect(groupsOfClaim(undefined)).toEqual([]);
    // No group is made of a fragment of another's name.
    expect(groupsOfClaim('[not-moderators]')).toEqual(['not-moderators']);
  });
});
