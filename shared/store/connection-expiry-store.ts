/**
 * When connections' tokens expire: one item per connection under the minute of its token's expiry
 * (`CONNEXP#<minute>`, sorted by the expiry time), written at `$connect`, deleted at `$disconnect` or when the
 * sweep closed it, and gone by its TTL anyway a few minutes after the sweep's lookback.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../async.ts';
import type { ConnectionExpiryRepository, ExpiringConnection } from '../domain/ports.ts';
import { sweepLookbackMs } from '../domain/token-expiry.ts';
import { entityTypes } from '../shape/table.ts';
import { type AdapterOperations, queryAll, type TableContext } from './dynamo.ts';
import { keys, keysOfExpiry } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const connectionExpiryStoreOperations = {
  read: ['Query'],
  write: ['PutItem', 'DeleteItem'],
  index: false,
} as const satisfies AdapterOperations;

const minuteMs = 60_000;
/** Past the sweep's lookback an item is of no use; DynamoDB deletes it lazily, and the sweep never reads it. */
const ttlAfterLookbackMs = 5 * minuteMs;

export class ConnectionExpiryStore implements ConnectionExpiryRepository {
  constructor(private readonly table: TableContext) {}

  async schedule({ userId, connectionId, tokenExpiresAtMs }: ExpiringConnection): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keys.connectionExpiry(tokenExpiresAtMs, connectionId),
          entity: entityTypes.connectionExpiry,
          userId,
          connectionId,
          tokenExpiresAtMs,
          ttl: epochSeconds(tokenExpiresAtMs + sweepLookbackMs + ttlAfterLookbackMs),
        },
      }),
    );
  }

  async forget({ connectionId, tokenExpiresAtMs }: Omit<ExpiringConnection, 'userId'>): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.connectionExpiry(tokenExpiresAtMs, connectionId),
      }),
    );
  }

  /** One Query per minute of the range (a handful per sweep), each reading only the connections due. */
  async expiredBetween({ fromMs, toMs }: { fromMs: number; toMs: number }): Promise<ExpiringConnection[]> {
    const minutes: number[] = [];
    for (let m = Math.floor(fromMs / minuteMs); m <= Math.floor((toMs - 1) / minuteMs); m++) minutes.push(m);
    const pages = await Promise.all(
      minutes.map((minute) =>
        queryAll(this.table, {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keysOfExpiry.partition(minute),
            ':from': keysOfExpiry.time(fromMs),
            // `$` sorts after the `#` that follows the time, so connections expiring at `toMs - 1` are included.
            ':to': `${keysOfExpiry.time(toMs - 1)}$`,
          },
        }),
      ),
    );
    return pages.flat().map((item) => ({
      userId: item.userId as string,
      connectionId: item.connectionId as string,
      tokenExpiresAtMs: item.tokenExpiresAtMs as number,
    }));
  }
}
