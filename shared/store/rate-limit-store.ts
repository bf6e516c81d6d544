/**
 * Per-user rate limits in DynamoDB: a counter item per user, bucket and clock minute, gone by its TTL. Every token
 * a request spends was counted in that item first, so a limit holds across all containers; but a container counts
 * tokens in batches and spends them from memory, so a busy user costs a few writes a minute, not one per request.
 *
 * A container's first batch of a minute is one token; each next one doubles while the user keeps going, but is
 * at most a quarter of what the limit still had left at the last count, and at most `maxBatch`. Tokens counted but
 * not yet spent are the slack: another container may refuse the user while they lie unspent. A container's unspent
 * tokens are fewer than its last batch, so never more than it already spent this minute, a quarter of what was
 * left, or `maxBatch - 1`: a user served by one container is refused only at the limit exactly, and one spread
 * over many never before half of it. Requests in one process share one count at a time, so this holds there too.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateDecision, RateLimiter } from '../domain/ports.ts';
import { MinuteState } from '../minute-state.ts';
import { entityTypes } from '../shape/table.ts';
import { type AdapterOperations, isConditionFailure, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

const maxBatch = 32;
/** A batch takes at most 1 / this of what is left, so the last tokens of a minute go out a few at a time. */
const shareOfRemaining = 4;
/** Counts that lose to other containers' are retried this often before the request is refused. */
const maxCountAttempts = 4;

/** This container's tokens of one user and bucket in the current minute. */
interface Allowance {
  unspent: number;
  nextBatch: number;
  /** The table's count reached the limit: nothing more can be counted this minute. */
  exhausted: boolean;
  /** A refusal was already answered this minute. */
  refused: boolean;
  /** The count under way: concurrent requests in one process wait for it rather than count batches of their own. */
  counting?: Promise<number>;
}

/** One user's bucket in one minute, and its limit. */
interface Window {
  userId: string;
  bucket: string;
  perMinute: number;
  windowStart: number;
}

const nextBatchAfter = (batch: number, left: number) =>
  Math.max(1, Math.min(batch * 2, maxBatch, Math.floor(left / shareOfRemaining)));

/** What this adapter issues (see `AdapterOperations`). */
export const rateLimitStoreOperations = {
  read: [],
  write: ['UpdateItem'],
  index: false,
} as const satisfies AdapterOperations;

export class RateLimitStore implements RateLimiter {
  /** The allowances of the current minute by user and bucket, all dropped when the minute turns. */
  private readonly allowances = new MinuteState(() => new Map<string, Allowance>());

  constructor(private readonly table: TableContext) {}

  async take({
    userId,
    bucket,
    perMinute,
    nowMs,
  }: Parameters<RateLimiter['take']>[0]): Promise<RateDecision> {
    const { windowStart, state: allowances } = this.allowances.at(nowMs);
    // Ids never contain `#` (limits.idPattern), so the key is unambiguous.
    const key = `${userId}#${bucket}`;
    let allowance = allowances.get(key);
    if (!allowance) {
      allowance = { unspent: 0, nextBatch: 1, exhausted: perMinute < 1, refused: false };
      allowances.set(key, allowance);
    }
    // Concurrent requests may spend a batch before this one gets its turn: it waits for the next, until one
    // counts nothing (the limit is reached, or other containers kept winning).
    while (allowance.unspent === 0 && !allowance.exhausted) {
      if ((await this.refill({ userId, bucket, perMinute, windowStart }, allowance)) === 0) break;
    }
    if (allowance.unspent > 0) {
      allowance.unspent -= 1;
      return 'taken';
    }
    if (allowance.refused) return 'refused-again';
    allowance.refused = true;
    return 'refused';
  }

  /** One count at a time per allowance, so a batch is counted only once the last one is spent. */
  private refill(window: Window, allowance: Allowance): Promise<number> {
    allowance.counting ??= this.count(window, allowance)
      .then((counted) => {
        allowance.unspent += counted;
        return counted;
      })
      .finally(() => {
        allowance.counting = undefined;
      });
    return allowance.counting;
  }

  /** Counts the next batch in the table (or as much of it as the limit has left); answers how many it counted. */
  private async count(window: Window, allowance: Allowance): Promise<number> {
    let batch = Math.min(allowance.nextBatch, window.perMinute);
    for (let attempt = 0; attempt < maxCountAttempts; attempt++) {
      const { counted, hits } = await this.add(window, batch);
      const left = window.perMinute - hits;
      if (counted) {
        allowance.nextBatch = nextBatchAfter(batch, left);
        return batch;
      }
      if (left <= 0) {
        allowance.exhausted = true;
        return 0;
      }
      // Fewer were left than asked for (left < batch): ask for a share of those.
      batch = Math.max(1, Math.floor(left / shareOfRemaining));
    }
    return 0;
  }

  /**
   * One conditional `ADD hits :batch` that keeps the count within the limit; answers the count after it, or the
   * count that refused it. Where the old count is not returned (an emulator), it assumes that just too few were
   * left, so the next try asks for less.
   */
  private async add(
    { userId, bucket, perMinute, windowStart }: Window,
    batch: number,
  ): Promise<{ counted: boolean; hits: number }> {
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.rateLimit(userId, bucket, windowStart),
          UpdateExpression: 'ADD hits :batch SET entity = :entity, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(hits) OR hits <= :most',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':batch': batch,
            ':most': perMinute - batch,
            ':entity': entityTypes.rateLimit,
            ':ttl': windowStart + 120,
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { counted: true, hits: Number(answer.Attributes?.hits ?? batch) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The failure carries the item in DynamoDB's own encoding: the document client does not unmarshal it.
      const old = (error as { Item?: { hits?: { N?: string } } }).Item?.hits?.N;
      return { counted: false, hits: old === undefined ? perMinute - batch + 1 : Number(old) };
    }
  }
}
