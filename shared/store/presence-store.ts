/**
 * A user's live connections and presence in one item per user: each connection is an attribute holding its
 * presence expiry, so the fan-out reads the connections of many users with one BatchGetItem, and presence is
 * derived from the same item (online while any connection has not expired).
 *
 * Presence may expire, delivery may not: a socket that stays open but quiet keeps receiving. A connection is
 * delivered to until `$disconnect` or a 410 from `@connections` removes it, or until it is older than any
 * connection can be (API Gateway closes every connection after two hours), the bound that still holds where
 * `@connections` never answers 410.
 */
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../async.ts';
import {
  connectionMayBeOpen,
  displacedBy,
  type GoneConnectionPruner,
  type LiveConnection,
  type SessionRepository,
  type SessionStore,
  sessionRecordLifetimeMs,
  type UserSessions,
  userSessions,
} from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import {
  type AdapterOperations,
  batchGet,
  conditionally,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`); only the local runtime's start scans. */
export const presenceStoreOperations = {
  read: ['BatchGetItem'],
  write: ['UpdateItem'],
  index: false,
  localOnly: ['Scan'],
} as const satisfies AdapterOperations;

const connectionAttributePrefix = 'conn:';

function toSessions(userId: string, item: Item | undefined, nowMs: number): UserSessions {
  const recorded: LiveConnection[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    if (name.startsWith(connectionAttributePrefix) && typeof value === 'number') {
      recorded.push({
        userId,
        connectionId: name.slice(connectionAttributePrefix.length),
        expiresAtMs: value,
      });
    }
  }
  return userSessions(userId, recorded, (item?.lastSeenAt as string | undefined) ?? null, nowMs);
}

export class PresenceStore implements SessionRepository, GoneConnectionPruner {
  constructor(private readonly table: TableContext) {}

  /**
   * Records a live connection (or renews it); answers whether the user was online before this write, this
   * connection included while its presence was still fresh, so only an offline → online change reads as one.
   * Past `maxConnections` the least recently renewed others are displaced (removed and answered), so the item
   * stays small and a renewal costs one small write however many sockets the user opened. Two connects at the
   * same moment each see the item before the other's write: the cap may then be passed by one until the next.
   */
  async putConnection({
    userId,
    connectionId,
    expiresAtMs,
    nowMs,
    maxConnections,
  }: Parameters<SessionStore['putConnection']>[0]): ReturnType<SessionStore['putConnection']> {
    const answer = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.presence(userId),
        UpdateExpression: 'SET #conn = :expires, lastSeenAt = :now, entity = :entity, #ttl = :ttl',
        ExpressionAttributeNames: { '#conn': connectionAttributePrefix + connectionId, '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':expires': expiresAtMs,
          ':now': new Date(nowMs).toISOString(),
          ':entity': entityTypes.presence,
          ':ttl': epochSeconds(nowMs + sessionRecordLifetimeMs),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const before = toSessions(userId, answer.Attributes, nowMs);
    const displaced = displacedBy(before.connections, connectionId, maxConnections);
    await this.pruneExpired(userId, answer.Attributes, nowMs, displaced);
    return { wasOnline: before.online, displaced };
  }

  /** Removes a connection; answers whether the user still has another live one. */
  async removeConnection({
    userId,
    connectionId,
    nowMs,
  }: Parameters<SessionStore['removeConnection']>[0]): Promise<{ stillOnline: boolean }> {
    const answer = await this.table.client
      .send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presence(userId),
          UpdateExpression: 'REMOVE #conn SET lastSeenAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#conn': connectionAttributePrefix + connectionId },
          ExpressionAttributeValues: { ':now': new Date(nowMs).toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch((error: unknown) => {
        if (isConditionFailure(error)) return { Attributes: undefined };
        throw error;
      });
    return { stillOnline: toSessions(userId, answer.Attributes, nowMs).online };
  }

  /** Forgets a connection that answered 410 Gone, unless it was renewed since (one conditional write). */
  async removeGoneConnection(options: Parameters<SessionStore['removeGoneConnection']>[0]): Promise<void> {
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presence(options.userId),
          UpdateExpression: 'REMOVE #conn',
          ConditionExpression: '#conn < :expiresBefore',
          ExpressionAttributeNames: { '#conn': connectionAttributePrefix + options.connectionId },
          ExpressionAttributeValues: { ':expiresBefore': options.renewedBeforeMs + options.ttlMs },
        }),
      ),
    );
  }

  /** The sessions of many users, with batched reads (100 users a call). */
  async getMany(
    userIds: string[],
    nowMs: number,
    { consistent = false }: { consistent?: boolean } = {},
  ): Promise<Map<string, UserSessions>> {
    const items = await batchGet(this.table, userIds.map(keys.presence), { consistent });
    const byUser = new Map(items.map((item) => [(item.pk as string).slice('USER#'.length), item]));
    return new Map(userIds.map((userId) => [userId, toSessions(userId, byUser.get(userId), nowMs)]));
  }

  /**
   * Forgets every recorded connection of every user, keeping `lastSeenAt`: for a gateway that has just started,
   * where no socket of an earlier run can still be open (the local runtime on a kept data folder). One Scan of
   * the table, so never for a deployed stack. Answers how many connections it removed.
   */
  async removeAllConnections(): Promise<number> {
    let removed = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new ScanCommand({
          TableName: this.table.tableName,
          FilterExpression: 'entity = :entity',
          ExpressionAttributeValues: { ':entity': entityTypes.presence },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const names = Object.keys(item).filter((name) => name.startsWith(connectionAttributePrefix));
        if (names.length > 0) await this.removeAttributes(item, names);
        removed += names.length;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return removed;
  }

  /**
   * Drops connections that cannot be open any more (a missed `$disconnect`), so the item does not grow, and the
   * displaced ones, in one write.
   */
  private async pruneExpired(
    userId: string,
    item: Item | undefined,
    nowMs: number,
    displaced: LiveConnection[],
  ): Promise<void> {
    const expired = Object.entries(item ?? {})
      .filter(
        ([name, value]) =>
          name.startsWith(connectionAttributePrefix) &&
          typeof value === 'number' &&
          !connectionMayBeOpen(value, nowMs),
      )
      .map(([name]) => name);
    const gone = [...expired, ...displaced.map((c) => connectionAttributePrefix + c.connectionId)];
    if (gone.length === 0) return;
    await this.removeAttributes(keys.presence(userId), gone);
  }

  private async removeAttributes(item: Item, attributes: string[]): Promise<void> {
    const names = Object.fromEntries(attributes.map((name, index) => [`#c${index}`, name]));
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
        ExpressionAttributeNames: names,
      }),
    );
  }
}
