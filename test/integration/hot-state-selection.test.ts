/**
 * `CHAT_HOT_STATE` through the composition root: typing and rate counts land in the run's Valkey server with
 * `valkey`, in DynamoDB (and nowhere in Valkey) by default.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Valkey } from 'iovalkey';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { buildChatContext } from '../../shared/handlers/composition-root.ts';
import { closeValkeyHotState } from '../../shared/hot-state/valkey-hot-state.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { keys } from '../../shared/store/keys.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
let server: Valkey;
beforeAll(async () => {
  table = await createTestTable();
  server = new Valkey(inject('local').valkeyUrl);
});
afterEach(() => {
  closeValkeyHotState();
  vi.unstubAllEnvs();
});
afterAll(() => server.disconnect());

const unique = () => Math.random().toString(36).slice(2, 10);

/** One typing signal and one rate token of a new user in a new conversation, through the context. */
async function signal(conversationId: string, userId: string) {
  const ctx = buildChatContext({ table });
  const nowMs = Date.now();
  await ctx.typing.start({ conversationId, userId, nowMs, expiresAtMs: nowMs + 6000, coalesceMs: 3000 });
  expect(await ctx.rateLimits.take({ userId, bucket: 'send', perMinute: 5, nowMs })).toBe('taken');
}

const typingItem = async (conversationId: string, userId: string) =>
  (
    await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.typing(conversationId, userId) }),
    )
  ).Item;

describe('the hot-state backend', () => {
  it('is Valkey with CHAT_HOT_STATE=valkey: nothing of it is written to DynamoDB', async () => {
    vi.stubEnv('CHAT_HOT_STATE', 'valkey');
    vi.stubEnv('VALKEY_URL', inject('local').valkeyUrl);
    const [conversationId, userId] = [`c-${unique()}`, `u-${unique()}`];

    await signal(conversationId, userId);

    expect(await server.keys(`*${conversationId}*`)).toHaveLength(1);
    expect(await server.keys(`*${userId}#send*`)).toHaveLength(1);
    expect(await typingItem(conversationId, userId)).toBeUndefined();
  });

  it('is DynamoDB by default: nothing of it is in Valkey', async () => {
    vi.stubEnv('CHAT_HOT_STATE', '');
    const [conversationId, userId] = [`c-${unique()}`, `u-${unique()}`];

    await signal(conversationId, userId);

    expect(await typingItem(conversationId, userId)).toBeDefined();
    expect(await server.keys(`*${userId}*`)).toEqual([]);
  });
});
