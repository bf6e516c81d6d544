/**
 * Suspensions in DynamoDB: one item per suspended user (`USER#u/SUSPENSION`), so every check is one GetItem and a
 * push job's recipients one BatchGetItem. A timed suspension ends by its `until` (readers compare it with now, so
 * nothing sweeps) and its item by its TTL a little later.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../async.ts';
import type { Suspension, SuspensionRepository } from '../domain/moderation-ports.ts';
import { entityTypes } from '../shape/table.ts';
import { type AdapterOperations, batchGet, type Item, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const suspensionStoreOperations = {
  read: ['GetItem', 'BatchGetItem'],
  write: ['PutItem', 'DeleteItem'],
  index: false,
} as const satisfies AdapterOperations;

/** The TTL lags `until` by this much: readers already treat the suspension as over, TTL only tidies up. */
const ttlAfterUntilSeconds = 60;

const inForceAt = (item: Item | undefined, nowMs: number) =>
  item !== undefined && (item.until === undefined || Date.parse(item.until as string) > nowMs);

function suspensionOf(item: Item): Suspension {
  return {
    userId: item.userId as string,
    ...(item.until === undefined ? {} : { until: item.until as string }),
    reason: item.reason as string,
    by: item.by as string,
    at: item.at as string,
  };
}

export class SuspensionStore implements SuspensionRepository {
  constructor(private readonly table: TableContext) {}

  async suspend(suspension: Suspension): Promise<void> {
    const { until } = suspension;
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keys.suspension(suspension.userId),
          entity: entityTypes.suspension,
          ...suspension,
          ...(until ? { ttl: epochSeconds(Date.parse(until)) + ttlAfterUntilSeconds } : {}),
        },
      }),
    );
  }

  async lift(userId: string): Promise<boolean> {
    const answer = await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.suspension(userId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return answer.Attributes !== undefined;
  }

  /** One GetItem: 1 read unit strongly consistent, 0.5 eventually. */
  async inForce(
    userId: string,
    nowMs: number,
    { consistent = true }: { consistent?: boolean } = {},
  ): Promise<Suspension | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.suspension(userId),
        ConsistentRead: consistent,
      }),
    );
    return Item && inForceAt(Item, nowMs) ? suspensionOf(Item) : undefined;
  }

  /** One BatchGetItem per 100 users, of two small attributes: usually nothing is found, half a unit per user. */
  async suspendedAmong(userIds: readonly string[], nowMs: number): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const items = await batchGet(this.table, userIds.map(keys.suspension), {
      projection: { expression: 'userId, #until', names: { '#until': 'until' } },
    });
    return new Set(items.filter((item) => inForceAt(item, nowMs)).map((item) => item.userId as string));
  }
}
