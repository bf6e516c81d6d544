/**
 * Connections and presence in Valkey, as the DynamoDB `PresenceStore` keeps them: one hash per user, each field
 * `conn:<id>` holding the connection's presence expiry, beside `lastSeenAt`; the fan-out reads many users' hashes
 * in one round trip (the client pipelines commands issued together, each to the node of its key's slot). Presence may expire, delivery may not: a connection is delivered to until it is
 * removed or older than any connection can be (`connectionMayBeOpen`).
 *
 * Every write renews the hash's own expiry (`PEXPIRE`), so an abandoned user's hash goes by itself after
 * `sessionRecordLifetimeMs`. Nothing waits for an expiry to be told: ElastiCache Serverless has no keyspace
 * notifications. Each read-and-write is one Lua script, atomic as the DynamoDB adapter's single updates are.
 */
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
import type { HotStateClient } from './valkey-client.ts';

/** Ids never contain `#` (limits.idPattern), so the key is unambiguous. */
const sessionsKey = (userId: string) => `sessions#${userId}`;
const connectionFieldPrefix = 'conn:';
const connectionField = (connectionId: string) => connectionFieldPrefix + connectionId;

/** KEYS[1] the hash; ARGV field, presence expiry, now (ISO), lifetime. Records the connection, answers the hash before. */
const putScript = `
local before = redis.call('HGETALL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], 'lastSeenAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return before
`;

/** KEYS[1] the hash; ARGV field, now (ISO). Forgets the connection of a known user, answers the hash after. */
const removeScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[2])
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS[1] the hash; ARGV field, expires-before. Forgets the connection only if it was not renewed since. */
const removeGoneScript = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and tonumber(held) < tonumber(ARGV[2]) then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

interface SessionCommands {
  chatSessionPut(key: string, ...args: string[]): Promise<string[]>;
  chatSessionRemove(key: string, ...args: string[]): Promise<string[]>;
  chatSessionRemoveGone(key: string, ...args: string[]): Promise<number>;
}

/** HGETALL as a Lua script answers it (field, value, field, value ...), as an object. */
const fieldsOf = (flat: string[]): Record<string, string> =>
  Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));

function recordedConnections(userId: string, fields: Record<string, string>): LiveConnection[] {
  return Object.entries(fields)
    .filter(([name]) => name.startsWith(connectionFieldPrefix))
    .map(([name, value]) => ({
      userId,
      connectionId: name.slice(connectionFieldPrefix.length),
      expiresAtMs: Number(value),
    }));
}

const toSessions = (userId: string, fields: Record<string, string>, nowMs: number): UserSessions =>
  userSessions(userId, recordedConnections(userId, fields), fields.lastSeenAt ?? null, nowMs);

export class ValkeySessionStore implements SessionRepository, GoneConnectionPruner {
  private readonly client: HotStateClient & SessionCommands;

  constructor(client: HotStateClient) {
    client.defineCommand('chatSessionPut', { numberOfKeys: 1, lua: putScript });
    client.defineCommand('chatSessionRemove', { numberOfKeys: 1, lua: removeScript });
    client.defineCommand('chatSessionRemoveGone', { numberOfKeys: 1, lua: removeGoneScript });
    this.client = client as HotStateClient & SessionCommands;
  }

  /**
   * Records or renews the connection; answers whether the user was online before (this connection included while
   * its presence was fresh). Past `maxConnections` the least recently renewed others are displaced, and
   * connections that cannot be open any more are dropped, in a second command only when there are any.
   */
  async putConnection({
    userId,
    connectionId,
    expiresAtMs,
    nowMs,
    maxConnections,
  }: Parameters<SessionStore['putConnection']>[0]): ReturnType<SessionStore['putConnection']> {
    const key = sessionsKey(userId);
    const fields = fieldsOf(
      await this.client.chatSessionPut(
        key,
        connectionField(connectionId),
        String(expiresAtMs),
        new Date(nowMs).toISOString(),
        String(sessionRecordLifetimeMs),
      ),
    );
    const before = toSessions(userId, fields, nowMs);
    const displaced = displacedBy(before.connections, connectionId, maxConnections);
    const expired = recordedConnections(userId, fields).filter(
      (c) => !connectionMayBeOpen(c.expiresAtMs, nowMs),
    );
    const gone = [...expired, ...displaced].map((c) => connectionField(c.connectionId));
    if (gone.length > 0) await this.client.hdel(key, ...gone);
    return { wasOnline: before.online, displaced };
  }

  /** Forgets a connection; answers whether the user is still online through another. */
  async removeConnection({
    userId,
    connectionId,
    nowMs,
  }: Parameters<SessionStore['removeConnection']>[0]): Promise<{ stillOnline: boolean }> {
    const after = await this.client.chatSessionRemove(
      sessionsKey(userId),
      connectionField(connectionId),
      new Date(nowMs).toISOString(),
    );
    return { stillOnline: toSessions(userId, fieldsOf(after), nowMs).online };
  }

  async removeGoneConnection(options: Parameters<SessionStore['removeGoneConnection']>[0]): Promise<void> {
    await this.client.chatSessionRemoveGone(
      sessionsKey(options.userId),
      connectionField(options.connectionId),
      String(options.renewedBeforeMs + options.ttlMs),
    );
  }

  /**
   * The sessions of many users, all asked at once: the client pipelines them (users' hashes lie in many slots, so
   * one MULTI or explicit pipeline could not hold them). Every read is consistent on Valkey.
   */
  async getMany(userIds: string[], nowMs: number): Promise<Map<string, UserSessions>> {
    const replies = await Promise.all(userIds.map((userId) => this.client.hgetall(sessionsKey(userId))));
    return new Map(userIds.map((userId, i) => [userId, toSessions(userId, replies[i] ?? {}, nowMs)]));
  }
}
