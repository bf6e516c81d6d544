/**
 * Typing signals in Valkey: one key per typist and conversation holding when the signal was last broadcast and
 * when it expires, gone by its own expiry (`PX`). The coalescing check and the write are one Lua script, so two
 * signals at once broadcast once, as the DynamoDB adapter's conditional put does.
 */
import type { TypingRepository } from '../domain/ports.ts';
import type { HotStateClient } from './valkey-client.ts';

/** Ids never contain `#` (limits.idPattern), so the key is unambiguous. */
const typingKey = (conversationId: string, userId: string) => `typing#${conversationId}#${userId}`;

/**
 * KEYS[1] the signal; ARGV now, expiresAt, coalesceMs, time to live. A live signal broadcast within the window
 * answers 0 and stays as it is; otherwise the signal is written and it answers 1.
 */
const startScript = `
local held = redis.call('GET', KEYS[1])
if held then
  local broadcastAt, expiresAt = string.match(held, '^(%d+):(%d+)$')
  local now = tonumber(ARGV[1])
  if tonumber(broadcastAt) > now - tonumber(ARGV[3]) and tonumber(expiresAt) > now then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[4])
return 1
`;

interface TypingCommands {
  chatTypingStart(key: string, ...args: string[]): Promise<number>;
}

export class ValkeyTypingStore implements TypingRepository {
  private readonly client: HotStateClient & TypingCommands;

  constructor(client: HotStateClient) {
    client.defineCommand('chatTypingStart', { numberOfKeys: 1, lua: startScript });
    this.client = client as HotStateClient & TypingCommands;
  }

  async start({
    conversationId,
    userId,
    nowMs,
    expiresAtMs,
    coalesceMs,
  }: Parameters<TypingRepository['start']>[0]): Promise<boolean> {
    const broadcast = await this.client.chatTypingStart(
      typingKey(conversationId, userId),
      String(nowMs),
      String(expiresAtMs),
      String(coalesceMs),
      String(Math.max(1, expiresAtMs - nowMs)),
    );
    return broadcast === 1;
  }

  async stop({ conversationId, userId, nowMs }: Parameters<TypingRepository['stop']>[0]): Promise<boolean> {
    const held = await this.client.getdel(typingKey(conversationId, userId));
    const expiresAtMs = held === null ? undefined : Number(held.split(':')[1]);
    return expiresAtMs !== undefined && expiresAtMs > nowMs;
  }
}
