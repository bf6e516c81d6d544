import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepLookbackMs } from '../../shared/domain/token-expiry.ts';
import { ConnectionExpiryStore } from '../../shared/store/connection-expiry-store.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { keys } from '../../shared/store/keys.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
let store: ConnectionExpiryStore;
beforeAll(async () => {
  table = await createTestTable();
  store = new ConnectionExpiryStore(table);
});

const minute = Date.UTC(2026, 0, 1, 12, 0);

/** What only the DynamoDB side does; the port's behaviour on both backends is test/contract/connection-expiry. */
describe('ConnectionExpiryStore', () => {
  it('forgets a connection, and gives each item a TTL past the sweep lookback', async () => {
    const expiresAt = minute + 5 * 60_000;
    await store.schedule({ userId: 'u', connectionId: 'c', tokenExpiresAtMs: expiresAt });
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.connectionExpiry(expiresAt, 'c') }),
    );
    expect(Item?.ttl).toBeGreaterThan((expiresAt + sweepLookbackMs) / 1000);
    await store.forget({ connectionId: 'c', tokenExpiresAtMs: expiresAt });
    expect(await store.expiredBetween({ fromMs: expiresAt, toMs: expiresAt + 1 })).toEqual([]);
  });
});
