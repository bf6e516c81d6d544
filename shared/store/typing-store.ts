/** Typing signals in DynamoDB: one item per typist and conversation, gone by its TTL. */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../async.ts';
import type { TypingRepository } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import { type AdapterOperations, conditionally, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const typingStoreOperations = {
  read: [],
  write: ['PutItem', 'DeleteItem'],
  index: false,
} as const satisfies AdapterOperations;

export class TypingStore implements TypingRepository {
  constructor(private readonly table: TableContext) {}

  /** A broadcast is due unless one went out within the coalescing window (not per keystroke). */
  start({
    conversationId,
    userId,
    nowMs,
    expiresAtMs,
    coalesceMs,
  }: Parameters<TypingRepository['start']>[0]): Promise<boolean> {
    return conditionally(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.typing(conversationId, userId),
            entity: entityTypes.typing,
            broadcastAtMs: nowMs,
            expiresAtMs,
            ttl: epochSeconds(expiresAtMs) + 1,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR broadcastAtMs <= :coalesced OR expiresAtMs <= :now',
          ExpressionAttributeValues: { ':coalesced': nowMs - coalesceMs, ':now': nowMs },
        }),
      ),
    );
  }

  async stop({ conversationId, userId, nowMs }: Parameters<TypingRepository['stop']>[0]): Promise<boolean> {
    const answer = await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.typing(conversationId, userId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const expiresAtMs = answer.Attributes?.expiresAtMs as number | undefined;
    return expiresAtMs !== undefined && expiresAtMs > nowMs;
  }
}
