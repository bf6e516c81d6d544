/**
 * Mutes in DynamoDB: one small item per member and muted conversation (`CONV#c/MUTE#u`), beside the member item
 * rather than on it, since the member item is projected into the inbox index and every change would rewrite it
 * there. A timed mute expires by its `until` (readers filter) and its TTL.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../async.ts';
import type { MuteRepository } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import { type AdapterOperations, queryAll, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const muteStoreOperations = {
  read: ['Query'],
  write: ['PutItem', 'DeleteItem'],
  index: false,
} as const satisfies AdapterOperations;

type Options<K extends keyof MuteRepository> = Parameters<MuteRepository[K]>[0];

export class MuteStore implements MuteRepository {
  constructor(private readonly table: TableContext) {}

  async mute({ conversationId, userId, until }: Options<'mute'>): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keys.mute(conversationId, userId),
          entity: entityTypes.mute,
          userId,
          ...(until ? { until, ttl: epochSeconds(Date.parse(until)) + 60 } : {}),
        },
      }),
    );
  }

  async unmute({ conversationId, userId }: Options<'unmute'>): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.mute(conversationId, userId) }),
    );
  }

  /** One Query of the conversation's `MUTE#` items: usually none, half a read unit. */
  async mutedIn({ conversationId, nowMs }: Options<'mutedIn'>): Promise<Set<string>> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.mute(conversationId, '').pk, ':prefix': keys.mutePrefix },
    });
    return new Set(
      items
        .filter((item) => item.until === undefined || Date.parse(item.until as string) > nowMs)
        .map((item) => item.userId as string),
    );
  }
}
