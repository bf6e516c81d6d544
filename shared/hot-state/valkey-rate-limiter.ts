/**
 * Per-user rate limits in Valkey: a counter per user, bucket and clock minute, counted once per request (INCR and
 * its expiry in one transaction, one round trip). A command costs no write capacity, so there is no batching and no
 * slack: the limit is exact across all containers. A user this container already refused in the minute is answered
 * from memory, without a command, like the DynamoDB adapter does.
 */
import type { RateDecision, RateLimiter } from '../domain/ports.ts';
import { MinuteState } from '../minute-state.ts';
import type { HotStateClient } from './valkey-client.ts';

/** A minute's counter outlives its minute by one, whatever the clocks of the containers that count in it. */
const counterTtlMs = 120_000;

export class ValkeyRateLimiter implements RateLimiter {
  /** Users and buckets refused in the current minute, all forgotten when the minute turns. */
  private readonly refusals = new MinuteState(() => new Set<string>());

  constructor(private readonly client: HotStateClient) {}

  async take({
    userId,
    bucket,
    perMinute,
    nowMs,
  }: Parameters<RateLimiter['take']>[0]): Promise<RateDecision> {
    const { windowStart, state: refused } = this.refusals.at(nowMs);
    // Ids never contain `#` (limits.idPattern), so the key is unambiguous.
    const key = `rate#${userId}#${bucket}#${windowStart}`;
    if (refused.has(key)) return 'refused-again';
    if (perMinute >= 1 && (await this.count(key)) <= perMinute) return 'taken';
    // Concurrent requests counted past the limit together: only the first to get here is told.
    if (refused.has(key)) return 'refused-again';
    refused.add(key);
    return 'refused';
  }

  /** The minute's count after this request. */
  private async count(key: string): Promise<number> {
    const replies = await this.client.multi().incr(key).pexpire(key, counterTtlMs, 'NX').exec();
    const [error, hits] = replies?.[0] ?? [new Error('The rate-limit transaction was discarded')];
    if (error) throw error;
    return Number(hits);
  }
}
