/** Short-lived state with TTLs: typing signals and per-user rate-limit windows. */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { entityTypes } from '../shape/table.ts';
import { isConditionFailure, type TableContext } from './dynamo.ts';
import { epochSeconds, keys } from './keys.ts';

export class EphemeralStore {
  constructor(private readonly table: TableContext) {}

  /**
   * Records that a user types until `expiresAtMs`; answers true when the signal should be broadcast, false
   * when one was broadcast within the coalescing window (a fast typist is not broadcast per keystroke).
   */
  async startTyping(
    conversationId: string,
    userId: string,
    nowMs: number,
    expiresAtMs: number,
    coalesceMs: number,
  ) {
    try {
      await this.table.client.send(
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
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Clears a typing signal; answers true when one was live (so the stop is worth broadcasting). */
  async stopTyping(conversationId: string, userId: string, nowMs: number): Promise<boolean> {
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

  /** Counts one hit in the user's current one-minute window; answers false when over `perMinute`. */
  async takeRateToken(userId: string, bucket: string, perMinute: number, nowMs: number): Promise<boolean> {
    const windowStart = Math.floor(nowMs / 60_000) * 60;
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.rateLimit(userId, bucket, windowStart),
          UpdateExpression: 'ADD hits :one SET entity = :entity, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':entity': entityTypes.rateLimit,
            ':ttl': windowStart + 120,
            ':limit': perMinute,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
