/**
 * What only the Valkey side of connection expiry does: Valkey has no TTL per member of a set, so entries the sweep
 * can no longer use (five minutes past its lookback, as DynamoDB's TTL) are dropped by the next `schedule`.
 */
import { afterAll, expect, it } from 'vitest';
import { sweepLookbackMs } from '../../shared/domain/token-expiry.ts';
import { ValkeyConnectionExpiry } from '../../shared/hot-state/valkey-connection-expiry.ts';
import { createTestValkey } from '../support/valkey.ts';

const client = createTestValkey();
afterAll(() => client.disconnect());

it('drops entries stale past the sweep lookback at the next schedule, and keeps the recent ones', async () => {
  let now = Date.UTC(2026, 0, 1, 12, 0);
  const expiry = new ValkeyConnectionExpiry(client, () => now);
  await expiry.schedule({ userId: 'u', connectionId: 'old', tokenExpiresAtMs: now });
  await expiry.schedule({ userId: 'u', connectionId: 'recent', tokenExpiresAtMs: now + 20 * 60_000 });

  now += sweepLookbackMs + 5 * 60_000 + 1;
  await expiry.schedule({ userId: 'u', connectionId: 'new', tokenExpiresAtMs: now + 60_000 });

  expect((await client.zrange('{connexp}times', 0, -1)).sort()).toEqual(['new', 'recent']);
  expect(Object.keys(await client.hgetall('{connexp}users')).sort()).toEqual(['new', 'recent']);
});
