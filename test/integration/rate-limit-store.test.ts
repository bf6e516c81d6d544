/**
 * The DynamoDB rate limiter: tokens are counted in the table in batches and spent from memory, so the limit holds
 * across containers (each store here is one container) while a busy user costs a few writes a minute.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RateDecision } from '../../shared/domain/ports.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { RateLimitStore } from '../../shared/store/rate-limit-store.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
beforeAll(async () => {
  table = await createTestTable();
});

/** A container's limiter whose DynamoDB writes are counted. */
function container() {
  const counter = { writes: 0 };
  const client = {
    send: (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      counter.writes += 1;
      return table.client.send(command);
    },
  } as unknown as DynamoDBDocumentClient;
  return { limiter: new RateLimitStore({ client, tableName: table.tableName }), counter };
}

/** The start of a clock minute, far from any other test's. */
const minuteStart = (minute: number) => Date.parse('2026-03-01T00:00:00Z') + minute * 60_000;
const user = () => `u-${Math.random().toString(36).slice(2, 10)}`;
const count = (decisions: RateDecision[], decision: RateDecision) =>
  decisions.filter((d) => d === decision).length;

async function takes(limiter: RateLimitStore, userId: string, n: number, perMinute: number, nowMs: number) {
  const decisions: RateDecision[] = [];
  for (let i = 0; i < n; i++) {
    decisions.push(await limiter.take({ userId, bucket: 'send', perMinute, nowMs: nowMs + i }));
  }
  return decisions;
}

describe('RateLimitStore', () => {
  it('counts 100 sends of one user in one container with 11 writes (sends limit 120)', async () => {
    const { limiter, counter } = container();

    const decisions = await takes(limiter, user(), 100, 120, minuteStart(0));

    expect(count(decisions, 'taken')).toBe(100);
    expect(counter.writes).toBe(11);
  });

  it('refuses one container exactly at the limit, then answers from memory: no write per refusal', async () => {
    const { limiter, counter } = container();
    const userId = user();

    const decisions = await takes(limiter, userId, 60, 37, minuteStart(1));
    const writesAtLimit = counter.writes;
    const flood = await takes(limiter, userId, 500, 37, minuteStart(1) + 1000);

    expect(count(decisions, 'taken')).toBe(37);
    expect(decisions[37]).toBe('refused');
    expect(count(decisions, 'refused-again')).toBe(22);
    expect(count(flood, 'refused-again')).toBe(500);
    expect(counter.writes - writesAtLimit).toBe(0);
    // 1, 2, 4, 8, then a quarter of what is left: the last few tokens are counted one by one, so none is lost.
    expect(writesAtLimit).toBe(17);
  });

  it('lets the user through again in the next minute', async () => {
    const { limiter } = container();
    const userId = user();
    await takes(limiter, userId, 5, 3, minuteStart(2));

    expect(await takes(limiter, userId, 3, 3, minuteStart(3))).toEqual(['taken', 'taken', 'taken']);
  });

  it('holds the limit across containers taking turns, refusing each within its documented slack', async () => {
    const containers = [container(), container(), container()];
    const userId = user();
    const perMinute = 120;
    const decisions: RateDecision[][] = [[], [], []];

    for (let i = 0; i < 300; i++) {
      const which = i % 3;
      const { limiter } = containers[which] as (typeof containers)[number];
      decisions[which]?.push(
        await limiter.take({ userId, bucket: 'send', perMinute, nowMs: minuteStart(4) + i }),
      );
    }

    const taken = decisions.reduce((sum, d) => sum + count(d, 'taken'), 0);
    const writes = containers.reduce((sum, c) => sum + c.counter.writes, 0);
    // Never over the limit; under it by at most what the other two containers held unspent at the end.
    expect(taken).toBeLessThanOrEqual(perMinute);
    expect(taken).toBeGreaterThanOrEqual(perMinute - 2 * Math.floor(perMinute / 4));
    expect(writes).toBeLessThan(taken / 3);
  });

  it('holds the limit under concurrent takes in one container and in several', async () => {
    const containers = [container(), container()];
    const userId = user();

    const decisions = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        (containers[i % 2] as (typeof containers)[number]).limiter.take({
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

  it('serves concurrent takes in one container from one batch at a time: exact at the limit, few writes', async () => {
    const { limiter, counter } = container();
    const userId = user();

    const decisions = await Promise.all(
      Array.from({ length: 50 }, () =>
        limiter.take({ userId, bucket: 'markRead', perMinute: 30, nowMs: minuteStart(7) }),
      ),
    );

    expect(count(decisions, 'taken')).toBe(30);
    // As many as one request after another would cost (1, 2, 4, 8, then a quarter of what is left, the last few
    // one by one, one count that finds the limit reached), not one per concurrent request.
    expect(counter.writes).toBeLessThanOrEqual(16);
  });

  it('refuses everything at a limit of 0 without a write', async () => {
    const { limiter, counter } = container();

    expect(await takes(limiter, user(), 3, 0, minuteStart(6))).toEqual([
      'refused',
      'refused-again',
      'refused-again',
    ]);
    expect(counter.writes).toBe(0);
  });
});
