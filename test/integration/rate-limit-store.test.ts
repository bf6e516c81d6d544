/**
 * The DynamoDB rate limiter's cost: tokens are counted in the table in batches and spent from memory, so a busy
 * user costs a few writes a minute (each store here is one container). What it decides, the same on every
 * backend, is test/contract/rate-limit.contract.test.ts.
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

  it('counts up to a limit of 37 in 17 writes, then answers refusals from memory: no write per refusal', async () => {
    const { limiter, counter } = container();
    const userId = user();

    await takes(limiter, userId, 60, 37, minuteStart(1));
    const writesAtLimit = counter.writes;
    await takes(limiter, userId, 500, 37, minuteStart(1) + 1000);

    expect(counter.writes - writesAtLimit).toBe(0);
    // 1, 2, 4, 8, then a quarter of what is left: the last few tokens are counted one by one, so none is lost.
    expect(writesAtLimit).toBe(17);
  });

  it('costs fewer writes than a third of the sends it lets through, across containers taking turns', async () => {
    const containers = [container(), container(), container()];
    const userId = user();
    const decisions: RateDecision[] = [];

    for (let i = 0; i < 300; i++) {
      const { limiter } = containers[i % 3] as (typeof containers)[number];
      decisions.push(
        await limiter.take({ userId, bucket: 'send', perMinute: 120, nowMs: minuteStart(4) + i }),
      );
    }

    const writes = containers.reduce((sum, c) => sum + c.counter.writes, 0);
    expect(writes).toBeLessThan(count(decisions, 'taken') / 3);
  });

  it('serves concurrent takes in one container from one batch at a time: few writes', async () => {
    const { limiter, counter } = container();
    const userId = user();

    await Promise.all(
      Array.from({ length: 50 }, () =>
        limiter.take({ userId, bucket: 'markRead', perMinute: 30, nowMs: minuteStart(7) }),
      ),
    );

    // As many as one request after another would cost (1, 2, 4, 8, then a quarter of what is left, the last few
    // one by one, one count that finds the limit reached), not one per concurrent request.
    expect(counter.writes).toBeLessThanOrEqual(16);
  });

  it('refuses at a limit of 0 without a write', async () => {
    const { limiter, counter } = container();

    await takes(limiter, user(), 3, 0, minuteStart(6));

    expect(counter.writes).toBe(0);
  });
});
