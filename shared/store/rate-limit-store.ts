/** Per-user rate limits in DynamoDB: a counter item per user, bucket and minute, gone by its TTL. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import { conditionally, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

export class RateLimitStore implements RateLimiter {
  constructor(private readonly table: TableContext) {}

  /** Counts one hit in the user's current one-minute window; answers false when over `perMinute`. */
  take({ userId, bucket, perMinute, nowMs }: Parameters<RateLimiter['take']>[0]): Promise<boolean> {
    const windowStart = Math.floor(nowMs / 60_000) * 60;
    return conditionally(
      this.table.client.send(
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
      ),
    );
  }
}
