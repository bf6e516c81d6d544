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

describe('ConnectionExpiryStore', () => {
  it('answers the connections expiring in [from, to), across minutes, and none outside', async () => {
    const at = (connectionId: string, tokenExpiresAtMs: number) =>
      store.schedule({ userId: 'u', connectionId, tokenExpiresAtMs });
    await at('before', minute - 1);
    await at('first', minute);
    await at('same-ms', minute);
    await at('next-minute', minute + 60_000 + 500);
    await at('last', minute + 120_000 - 1);
    await at('after', minute + 120_000);

    const due = await store.expiredBetween({ fromMs: minute, toMs: minute + 120_000 });
    expect(due.map((c) => c.connectionId).sort()).toEqual(['first', 'last', 'next-minute', 'same-ms']);
    expect(due.find((c) => c.connectionId === 'next-minute')).toEqual({
      userId: 'u',
      connectionId: 'next-minute',
      tokenExpiresAtMs: minute + 60_500,
    });
  });

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
