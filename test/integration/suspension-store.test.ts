/**
 * The suspension store against DynamoDB Local: one item per user with its TTL after `until`, `inForce` and
 * `suspendedAmong` reading `until` against now (so expiry needs no sweep), suspending again replacing, lifting
 * answering whether there was one, and more than one BatchGetItem's worth of users.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { keys } from '../../shared/store/keys.ts';
import { SuspensionStore } from '../../shared/store/suspension-store.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
let store: SuspensionStore;
beforeAll(async () => {
  table = await createTestTable();
  store = new SuspensionStore(table);
});

const nowMs = Date.UTC(2026, 11, 1, 12);
const at = new Date(nowMs).toISOString();
const inAnHour = new Date(nowMs + 3_600_000).toISOString();
let ids = 0;
const fresh = (name: string) => `${name}-${++ids}`;

async function itemOf(userId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.suspension(userId), ConsistentRead: true }),
  );
  return Item;
}

describe('the suspension store', () => {
  it('keeps one item per user, with a TTL a little after until (none without until)', async () => {
    const [timed, open] = [fresh('timed'), fresh('open')];
    await store.suspend({ userId: timed, until: inAnHour, reason: 'spam', by: 'mod', at });
    await store.suspend({ userId: open, reason: 'abuse', by: 'mod', at });
    const item = await itemOf(timed);
    expect(item).toMatchObject({
      entity: 'suspension',
      userId: timed,
      until: inAnHour,
      reason: 'spam',
      by: 'mod',
    });
    const ttl = item?.ttl as number;
    expect(ttl * 1000).toBeGreaterThan(Date.parse(inAnHour));
    expect(ttl * 1000).toBeLessThanOrEqual(Date.parse(inAnHour) + 3_600_000);
    expect((await itemOf(open))?.ttl).toBeUndefined();
  });

  it('is in force until `until`, strongly consistent by default or eventually; an ended one is none', async () => {
    const userId = fresh('bob');
    expect(await store.inForce(userId, nowMs)).toBeUndefined();
    await store.suspend({ userId, until: inAnHour, reason: 'spam', by: 'mod', at });
    const suspension = { userId, until: inAnHour, reason: 'spam', by: 'mod', at };
    expect(await store.inForce(userId, nowMs)).toEqual(suspension);
    expect(await store.inForce(userId, nowMs, { consistent: false })).toEqual(suspension);
    expect(await store.inForce(userId, Date.parse(inAnHour) - 1)).toEqual(suspension);
    expect(await store.inForce(userId, Date.parse(inAnHour))).toBeUndefined();
  });

  it('suspending again replaces the suspension (a timed one becomes one until lifted)', async () => {
    const userId = fresh('carol');
    await store.suspend({ userId, until: inAnHour, reason: 'spam', by: 'mod', at });
    await store.suspend({ userId, reason: 'abuse', by: 'mod2', at });
    expect(await store.inForce(userId, Date.parse(inAnHour) + 1)).toEqual({
      userId,
      reason: 'abuse',
      by: 'mod2',
      at,
    });
    expect((await itemOf(userId))?.ttl).toBeUndefined();
  });

  it('lifting answers whether there was one, and ends it', async () => {
    const userId = fresh('dave');
    await store.suspend({ userId, reason: 'spam', by: 'mod', at });
    expect(await store.lift(userId)).toBe(true);
    expect(await store.inForce(userId, nowMs)).toBeUndefined();
    expect(await store.lift(userId)).toBe(false);
  });

  it('finds the suspended among many users (past one BatchGetItem), leaving out ended suspensions', async () => {
    const users = Array.from({ length: 130 }, () => fresh('u'));
    const [first, second, ended] = [users[3], users[120], users[64]] as [string, string, string];
    await store.suspend({ userId: first, reason: 'spam', by: 'mod', at });
    await store.suspend({ userId: second, until: inAnHour, reason: 'spam', by: 'mod', at });
    await store.suspend({
      userId: ended,
      until: new Date(nowMs - 1).toISOString(),
      reason: 'x',
      by: 'mod',
      at,
    });
    expect(await store.suspendedAmong(users, nowMs)).toEqual(new Set([first, second]));
    expect(await store.suspendedAmong([], nowMs)).toEqual(new Set());
  });
});
