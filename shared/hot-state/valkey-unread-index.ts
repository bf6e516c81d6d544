/**
 * Read positions cached in Valkey, so `GET /unread` reads two hashes instead of every membership and `lastSeq`:
 *
 * - per user `unread#{user}`: conversation → read position (the later of `lastReadSeq` and their own last seq),
 *   and the field `''` (no conversation id is empty) once it is complete. Built from DynamoDB when it is missing
 *   (first use, expiry, eviction), and expiring `positionsTtlMs` after that, so a change it missed (Valkey was
 *   unreachable just then) lasts at most that long;
 * - per conversation its `lastSeq`, in one of `seqBuckets` hashes (`unread-seq#{n}`): a user's conversations are
 *   read with one HMGET per bucket, not one GET each. A conversation missing there is read from DynamoDB.
 *
 * Every change is a script that moves a value only forward, so a retry, a redelivered stream record or changes
 * arriving out of order leave the same values. A build must not undo a change made while it read DynamoDB: every
 * change to a user's hash first bumps the user's epoch (`unread#{user}#epoch`), and a build only lands if the
 * epoch is still the one it read before reading DynamoDB. Keys carry their user or bucket as a hash tag, so each
 * script touches one slot (ElastiCache Serverless is a cluster).
 */
import type { ReadPosition, UnreadIndex } from '../domain/ports.ts';
import { DerivedUnreadIndex, type PositionSource } from '../domain/read-positions.ts';
import { logger } from '../observability.ts';
import type { HotStateClient } from './valkey-client.ts';

const positionsTtlMs = 3_600_000;
const seqBuckets = 16;
/** The field marking a user's hash complete. */
const builtField = '';

/** Ids never contain braces (limits.idPattern), so the hash tag is the whole id. */
const positionsKey = (userId: string) => `unread#{${userId}}`;
const epochKey = (userId: string) => `unread#{${userId}}#epoch`;

function seqKeyOf(conversationId: string): string {
  let hash = 0;
  for (let i = 0; i < conversationId.length; i++) hash = (hash * 31 + conversationId.charCodeAt(i)) >>> 0;
  return `unread-seq#{${hash % seqBuckets}}`;
}

/** KEYS[1] a hash; ARGV field, value pairs: each field set to its value unless it holds a greater one. */
const raiseScript = `
for i = 1, #ARGV, 2 do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  if not held or tonumber(ARGV[i + 1]) > tonumber(held) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 0
`;

/**
 * KEYS[1] a user's positions, KEYS[2] their epoch; ARGV change (`read`, `join`, `leave`), conversation, seq,
 * the epoch's time to live. Bumps the epoch, then changes a complete hash only: a read moves a member's position
 * forward, a join adds the member (or moves them forward), a leave forgets the conversation.
 */
const changeScript = `
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if redis.call('HEXISTS', KEYS[1], '') == 0 then return 0 end
local held = redis.call('HGET', KEYS[1], ARGV[2])
if ARGV[1] == 'leave' then
  redis.call('HDEL', KEYS[1], ARGV[2])
elseif (held or ARGV[1] == 'join') and (not held or tonumber(ARGV[3]) > tonumber(held)) then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
end
return 1
`;

/**
 * KEYS[1] a user's positions, KEYS[2] their epoch; ARGV the epoch read before DynamoDB ('' for none), time to
 * live, then conversation, position pairs. Replaces the hash, marked complete, unless the epoch moved since.
 */
const buildScript = `
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '', '0')
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

interface UnreadCommands {
  chatUnreadRaise(key: string, ...fieldsAndValues: string[]): Promise<number>;
  chatUnreadChange(positions: string, epoch: string, ...args: string[]): Promise<number>;
  chatUnreadBuild(positions: string, epoch: string, ...args: string[]): Promise<number>;
}

type Change = 'read' | 'join' | 'leave';

export class ValkeyUnreadIndex implements UnreadIndex {
  private readonly client: HotStateClient & UnreadCommands;
  /** The source of truth, read when the cache lacks something. */
  private readonly table: DerivedUnreadIndex;

  constructor(
    client: HotStateClient,
    private readonly conversations: PositionSource,
  ) {
    client.defineCommand('chatUnreadRaise', { numberOfKeys: 1, lua: raiseScript });
    client.defineCommand('chatUnreadChange', { numberOfKeys: 2, lua: changeScript });
    client.defineCommand('chatUnreadBuild', { numberOfKeys: 2, lua: buildScript });
    this.client = client as HotStateClient & UnreadCommands;
    this.table = new DerivedUnreadIndex(conversations);
  }

  /** From the cache; from DynamoDB (building the cache) when the user's hash is missing or Valkey fails. */
  async positions(userId: string): Promise<ReadPosition[]> {
    let cached: { epoch: string | null; positions?: ReadPosition[] };
    try {
      cached = await this.cached(userId);
    } catch (error) {
      logger.warn('Unread positions read from DynamoDB: the cache failed', { error: String(error) });
      return this.table.positions(userId);
    }
    if (cached.positions) return cached.positions;
    const positions = await this.table.positions(userId);
    await this.quietly(() => this.build(userId, cached.epoch, positions));
    return positions;
  }

  async advanced({ conversationId, seq }: Parameters<UnreadIndex['advanced']>[0]): Promise<void> {
    await this.quietly(() =>
      this.client.chatUnreadRaise(seqKeyOf(conversationId), conversationId, String(seq)),
    );
  }

  async readTo({ conversationId, userId, seq }: Parameters<UnreadIndex['readTo']>[0]): Promise<void> {
    await this.change(userId, 'read', conversationId, seq);
  }

  async joined({ conversationId, userIds, seq }: Parameters<UnreadIndex['joined']>[0]): Promise<void> {
    await Promise.all(userIds.map((userId) => this.change(userId, 'join', conversationId, seq)));
  }

  async left({ conversationId, userId }: Parameters<UnreadIndex['left']>[0]): Promise<void> {
    await this.change(userId, 'leave', conversationId, 0);
  }

  /** The user's cached positions, if complete, and the epoch a build would start from. */
  private async cached(userId: string): Promise<{ epoch: string | null; positions?: ReadPosition[] }> {
    const [held, epoch] = await Promise.all([
      this.client.hgetall(positionsKey(userId)),
      this.client.get(epochKey(userId)),
    ]);
    if (held[builtField] === undefined) return { epoch };
    const readSeqs = Object.entries(held).filter(([conversationId]) => conversationId !== builtField);
    const lastSeqs = await this.lastSeqs(
      readSeqs.map(([conversationId]) => conversationId),
      userId,
    );
    const positions = readSeqs.flatMap(([conversationId, readSeq]) => {
      const lastSeq = lastSeqs.get(conversationId);
      return lastSeq === undefined ? [] : [{ conversationId, lastSeq, readSeq: Number(readSeq) }];
    });
    return { epoch, positions };
  }

  /** Each conversation's `lastSeq`: one HMGET per bucket, and DynamoDB for those the cache lacks. */
  private async lastSeqs(conversationIds: string[], userId: string): Promise<Map<string, number>> {
    const answers = await Promise.all(
      [...groupBy(conversationIds, seqKeyOf)].map(async ([key, ids]) => {
        const values = await this.client.hmget(key, ...ids);
        return ids.map((id, i) => [id, values[i]] as const);
      }),
    );
    const lastSeqs = new Map<string, number>();
    const missing: string[] = [];
    for (const [id, value] of answers.flat()) {
      if (value === null || value === undefined) missing.push(id);
      else lastSeqs.set(id, Number(value));
    }
    if (missing.length === 0) return lastSeqs;
    const fetched = await this.conversations.seqPositions(missing, userId);
    for (const [id, { lastSeq }] of fetched) lastSeqs.set(id, lastSeq);
    await this.quietly(() => this.raiseLastSeqs([...fetched].map(([id, { lastSeq }]) => [id, lastSeq])));
    return lastSeqs;
  }

  /** Stores positions read from DynamoDB, unless the user's epoch moved since `epoch` was read. */
  private async build(userId: string, epoch: string | null, positions: ReadPosition[]): Promise<void> {
    await Promise.all([
      this.client.chatUnreadBuild(
        positionsKey(userId),
        epochKey(userId),
        epoch ?? '',
        String(positionsTtlMs),
        ...positions.flatMap((p) => [p.conversationId, String(p.readSeq)]),
      ),
      this.raiseLastSeqs(positions.map((p) => [p.conversationId, p.lastSeq])),
    ]);
  }

  private async raiseLastSeqs(lastSeqs: (readonly [string, number])[]): Promise<void> {
    await Promise.all(
      [...groupBy(lastSeqs, ([id]) => seqKeyOf(id))].map(([key, pairs]) =>
        this.client.chatUnreadRaise(key, ...pairs.flatMap(([id, seq]) => [id, String(seq)])),
      ),
    );
  }

  private async change(userId: string, change: Change, conversationId: string, seq: number): Promise<void> {
    await this.quietly(() =>
      this.client.chatUnreadChange(
        positionsKey(userId),
        epochKey(userId),
        change,
        conversationId,
        String(seq),
        String(positionsTtlMs),
      ),
    );
  }

  /**
   * A change DynamoDB already holds: a failure to cache it must not fail the use case. The cache then lags
   * until the value moves again, or the user's hash expires.
   */
  private async quietly(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      logger.warn('The unread cache missed a change (DynamoDB has it)', { error: String(error) });
    }
  }
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
