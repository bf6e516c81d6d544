/**
 * The rate limiter's contract (`RateLimiter`), the same on every hot-state backend: per user, bucket and clock
 * minute; never over the limit, and with several containers never under it by more than the DynamoDB adapter's
 * documented slack (Valkey counts every request, so it is exact). What each costs in DynamoDB writes is
 * test/integration/rate-limit-store.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateDecision, RateLimiter } from '../../shared/domain/ports.ts';
import { type HotState, hotStateBackends } from '../support/hot-state.ts';

/** The start of a clock minute, far from any other test's. */
const minuteStart = (minute: number) => Date.parse('2026-03-01T00:00:00Z') + minute * 60_000;
const user = () => `u-${Math.random().toString(36).slice(2, 10)}`;
const count = (decisions: RateDecision[], decision: RateDecision) =>
  decisions.filter((d) => d === decision).length;

async function takes(limiter: RateLimiter, userId: string, n: number, perMinute: number, nowMs: number) {
  const decisions: RateDecision[] = [];
  for (let i = 0; i < n; i++) {
    decisions.push(await limiter.take({ userId, bucket: 'send', perMinute, nowMs: nowMs + i }));
  }
  return decisions;
}

describe.each(hotStateBackends)('rate limits on $name', ({ connect }) => {
  let backend: HotState;
  beforeAll(async () => {
    backend = await connect();
  });
  afterAll(() => backend.close());

  it('refuses one container exactly at the limit, once, then again and again', async () => {
    const limiter = backend.rateLimiter();
    const userId = user();

    const decisions = await takes(limiter, userId, 60, 37, minuteStart(1));
    const flood = await takes(limiter, userId, 50, 37, minuteStart(1) + 1000);

    expect(count(decisions, 'taken')).toBe(37);
    expect(decisions[37]).toBe('refused');
    expect(count(decisions, 'refused-again')).toBe(22);
    expect(count(flood, 'refused-again')).toBe(50);
  });

  it('counts each bucket and each user on its own', async () => {
    const limiter = backend.rateLimiter();
    const [ada, bob] = [user(), user()];
    const nowMs = minuteStart(8);
    await takes(limiter, ada, 3, 2, nowMs);

    expect(await limiter.take({ userId: ada, bucket: 'edit', perMinute: 2, nowMs })).toBe('taken');
    expect(await limiter.take({ userId: bob, bucket: 'send', perMinute: 2, nowMs })).toBe('taken');
  });

  it('lets the user through again in the next minute', async () => {
    const limiter = backend.rateLimiter();
    const userId = user();
    await takes(limiter, userId, 5, 3, minuteStart(2));

    expect(await takes(limiter, userId, 3, 3, minuteStart(3))).toEqual(['taken', 'taken', 'taken']);
  });

  it('holds the limit across containers taking turns, refusing each within the documented slack', async () => {
    const containers = [backend.rateLimiter(), backend.rateLimiter(), backend.rateLimiter()];
    const userId = user();
    const perMinute = 120;
    const decisions: RateDecision[] = [];

    for (let i = 0; i < 300; i++) {
      const limiter = containers[i % 3] as RateLimiter;
      decisions.push(await limiter.take({ userId, bucket: 'send', perMinute, nowMs: minuteStart(4) + i }));
    }

    // Never over the limit; under it by at most what the other two containers held unspent at the end.
    expect(count(decisions, 'taken')).toBeLessThanOrEqual(perMinute);
    expect(count(decisions, 'taken')).toBeGreaterThanOrEqual(perMinute - 2 * Math.floor(perMinute / 4));
  });

  it('holds the limit under concurrent takes in one container and in several', async () => {
    const containers = [backend.rateLimiter(), backend.rateLimiter()];
    const userId = user();

    const decisions = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        (containers[i % 2] as RateLimiter).take({
          userId,
          bucket: 'edit',
          perMinute: 30,
          nowMs: minuteStart(5),
        }),
      ),
    );

    expect(count(decisions, 'taken')).toBeLessThanOrEqual(30);
    expect(count(decisions, 'taken')).toBeGreaterThanOrEqual(30 - 2 * Math.floor(30 / 4));
  });

  it('is exact at the limit under concurrent takes in one container', async () => {
    const limiter = backend.rateLimiter();
    const userId = user();

    const decisions = await Promise.all(
      Array.from({ length: 50 }, () =>
        limiter.take({ userId, bucket: 'markRead', perMinute: 30, nowMs: minuteStart(7) }),
      ),
    );

    expect(count(decisions, 'taken')).toBe(30);
    expect(count(decisions, 'refused')).toBe(1);
  });

  it('refuses everything at a limit of 0', async () => {
    expect(await takes(backend.rateLimiter(), user(), 3, 0, minuteStart(6))).toEqual([
      'refused',
      'refused-again',
      'refused-again',
    ]);
  });
});
