/**
 * Push devices in DynamoDB: each under its user (`USER#u/DEVICE#id`, holding the token and the SNS endpoint) and
 * its token's owner under the token's hash, so that a token belongs to one user; and the last push per device
 * and conversation (`USER#u/PUSHED#device#conversation`), which collapses pushes and deduplicates them.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../async.ts';
import type { Device, DeviceRepository, PushPlatform } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import {
  type AdapterOperations,
  cancellationCodes,
  conditionally,
  type Item,
  queryAll,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`); a registration is one transaction of puts and a delete. */
export const deviceStoreOperations = {
  read: ['GetItem', 'Query'],
  write: ['PutItem', 'UpdateItem', 'DeleteItem'],
  index: false,
} as const satisfies AdapterOperations;

type Options<K extends keyof DeviceRepository> = Parameters<DeviceRepository[K]>[0];

/** A registration races another one of the same token at most this often. */
const maxTokenRaces = 5;
/** A push claim outlives any redelivery of its job (SQS keeps a message at most 4 days, the queue 1). */
const pushedTtlSeconds = 2 * 86_400;

const tokenKey = (platform: PushPlatform, token: string) =>
  keys.pushToken(platform, createHash('sha256').update(token).digest('base64url'));

function deviceOf(item: Item): Device {
  return {
    userId: item.userId as string,
    deviceId: item.deviceId as string,
    platform: item.platform as PushPlatform,
    token: item.token as string,
    createdAt: item.createdAt as string,
    ...(item.endpoint ? { endpoint: item.endpoint as string } : {}),
    ...(item.endpointStale ? { endpointStale: true } : {}),
  };
}

export class DeviceStore implements DeviceRepository {
  constructor(private readonly table: TableContext) {}

  async register(options: Options<'register'>): Promise<{ device: Device; created: boolean }> {
    const { userId, platform, token, newDeviceId, now, maxDevices } = options;
    const { tableName, client } = this.table;
    const ownerKey = tokenKey(platform, token);
    for (let attempt = 0; ; attempt++) {
      const owner = (
        await client.send(new GetCommand({ TableName: tableName, Key: ownerKey, ConsistentRead: true }))
      ).Item;
      const previous = owner ? await this.get(owner.userId as string, owner.deviceId as string) : undefined;
      if (previous && previous.userId === userId) {
        // The app registers its token at every start: the token is current, so the endpoint is checked again.
        await this.markStale(previous);
        return { device: { ...previous, endpointStale: true }, created: false };
      }
      const device: Device = {
        userId,
        deviceId: newDeviceId,
        platform,
        token,
        createdAt: now,
        // SNS keys endpoints by token: the new owner's device keeps the endpoint, checked before its next push.
        ...(previous?.endpoint ? { endpoint: previous.endpoint, endpointStale: true } : {}),
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...ownerKey, entity: entityTypes.pushToken, userId, deviceId: newDeviceId },
                  ...(owner
                    ? {
                        ConditionExpression: 'deviceId = :was',
                        ExpressionAttributeValues: { ':was': owner.deviceId },
                      }
                    : { ConditionExpression: 'attribute_not_exists(pk)' }),
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.device(userId, newDeviceId), entity: entityTypes.device, ...device },
                },
              },
              ...(previous
                ? [{ Delete: { TableName: tableName, Key: keys.device(previous.userId, previous.deviceId) } }]
                : []),
            ],
          }),
        );
      } catch (error) {
        // Another registration of the same token won: read its outcome and try again.
        if (!cancellationCodes(error) || attempt + 1 >= maxTokenRaces) throw error;
        continue;
      }
      await this.trim(userId, maxDevices);
      return { device, created: true };
    }
  }

  async list(userId: string): Promise<Device[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.device(userId, '').pk, ':prefix': keys.devicePrefix },
    });
    return items.map(deviceOf).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove({ userId, deviceId }: Options<'remove'>): Promise<boolean> {
    const answer = await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.device(userId, deviceId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (!answer.Attributes) return false;
    const device = deviceOf(answer.Attributes);
    // The token's owner record goes too, unless the token has moved to another device since.
    await conditionally(
      this.table.client.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: tokenKey(device.platform, device.token),
          ConditionExpression: 'deviceId = :device',
          ExpressionAttributeValues: { ':device': deviceId },
        }),
      ),
    );
    return true;
  }

  async setEndpoint({ userId, deviceId, endpoint }: Options<'setEndpoint'>): Promise<void> {
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.device(userId, deviceId),
          UpdateExpression: 'SET endpoint = :endpoint REMOVE endpointStale',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':endpoint': endpoint },
        }),
      ),
    );
  }

  claimPush({
    userId,
    deviceId,
    conversationId,
    seq,
    nowMs,
    collapseMs,
  }: Options<'claimPush'>): Promise<boolean> {
    return conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.pushed(userId, deviceId, conversationId),
          UpdateExpression: 'SET entity = :entity, seq = :seq, collapseUntil = :until, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(pk) OR (collapseUntil <= :now AND seq < :seq)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':entity': entityTypes.pushed,
            ':seq': seq,
            ':until': nowMs + collapseMs,
            ':now': nowMs,
            ':ttl': epochSeconds(nowMs) + pushedTtlSeconds,
          },
        }),
      ),
    );
  }

  async releasePush({ userId, deviceId, conversationId, seq }: Options<'releasePush'>): Promise<void> {
    await conditionally(
      this.table.client.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.pushed(userId, deviceId, conversationId),
          ConditionExpression: 'seq = :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      ),
    );
  }

  private async get(userId: string, deviceId: string): Promise<Device | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.device(userId, deviceId),
        ConsistentRead: true,
      }),
    );
    return answer.Item ? deviceOf(answer.Item) : undefined;
  }

  private async markStale(device: Device): Promise<void> {
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.device(device.userId, device.deviceId),
          UpdateExpression: 'SET endpointStale = :stale',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':stale': true },
        }),
      ),
    );
  }

  /** Forgets the user's oldest devices past `maxDevices` (two registrations at once may leave one over, briefly). */
  private async trim(userId: string, maxDevices: number): Promise<void> {
    const devices = await this.list(userId);
    for (const device of devices.slice(0, Math.max(0, devices.length - maxDevices)))
      await this.remove({ userId, deviceId: device.deviceId });
  }
}
