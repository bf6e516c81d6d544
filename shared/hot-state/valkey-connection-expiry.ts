/**
 * When connections' tokens expire, in Valkey: a sorted set of connection ids scored by the token's expiry and a
 * hash of each one's user, both under the hash tag `{connexp}` so that every script touches one slot. The sweep
 * reads only the range due; entries older than its lookback are dropped at each `schedule` (Valkey has no TTL
 * on a member, and ElastiCache Serverless tells nobody of an expiry anyway).
 */
import type { ConnectionExpiryRepository, ExpiringConnection } from '../domain/ports.ts';
import { sweepLookbackMs } from '../domain/token-expiry.ts';
import type { HotStateClient } from './valkey-client.ts';

const timesKey = '{connexp}times';
const usersKey = '{connexp}users';
/** As the DynamoDB items' TTL: an entry is of no use five minutes past the sweep's lookback. */
const staleAfterMs = sweepLookbackMs + 5 * 60_000;
/** At most this many stale entries are dropped per `schedule`, so one call never does unbounded work. */
const pruneBatch = 100;

/**
 * KEYS times, users; ARGV connection id, expiry, user, the score below which entries are stale, batch. Records
 * the connection and drops a batch of stale ones.
 */
const scheduleScript = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
if #stale > 0 then
  redis.call('ZREM', KEYS[1], unpack(stale))
  redis.call('HDEL', KEYS[2], unpack(stale))
end
return 1
`;

/** KEYS times, users; ARGV connection id. */
const forgetScript = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/** KEYS times, users; ARGV from, to (exclusive). Answers id, expiry, user, id, expiry, user ... */
const dueScript = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2], 'WITHSCORES')
local answer = {}
for i = 1, #due, 2 do
  local user = redis.call('HGET', KEYS[2], due[i])
  if user then
    table.insert(answer, due[i])
    table.insert(answer, due[i + 1])
    table.insert(answer, user)
  end
end
return answer
`;

interface ExpiryCommands {
  chatExpirySchedule(times: string, users: string, ...args: string[]): Promise<number>;
  chatExpiryForget(times: string, users: string, connectionId: string): Promise<number>;
  chatExpiryDue(times: string, users: string, fromMs: string, toMs: string): Promise<string[]>;
}

export class ValkeyConnectionExpiry implements ConnectionExpiryRepository {
  private readonly client: HotStateClient & ExpiryCommands;

  constructor(
    client: HotStateClient,
    private readonly clock: () => number,
  ) {
    client.defineCommand('chatExpirySchedule', { numberOfKeys: 2, lua: scheduleScript });
    client.defineCommand('chatExpiryForget', { numberOfKeys: 2, lua: forgetScript });
    client.defineCommand('chatExpiryDue', { numberOfKeys: 2, lua: dueScript });
    this.client = client as HotStateClient & ExpiryCommands;
  }

  async schedule({ userId, connectionId, tokenExpiresAtMs }: ExpiringConnection): Promise<void> {
    await this.client.chatExpirySchedule(
      timesKey,
      usersKey,
      connectionId,
      String(tokenExpiresAtMs),
      userId,
      String(this.clock() - staleAfterMs),
      String(pruneBatch),
    );
  }

  async forget({ connectionId }: Omit<ExpiringConnection, 'userId'>): Promise<void> {
    await this.client.chatExpiryForget(timesKey, usersKey, connectionId);
  }

  async expiredBetween({ fromMs, toMs }: { fromMs: number; toMs: number }): Promise<ExpiringConnection[]> {
    const flat = await this.client.chatExpiryDue(timesKey, usersKey, String(fromMs), String(toMs));
    const due: ExpiringConnection[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      due.push({
        connectionId: flat[i] as string,
        tokenExpiresAtMs: Number(flat[i + 1]),
        userId: flat[i + 2] as string,
      });
    }
    return due;
  }
}
