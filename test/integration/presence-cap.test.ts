/**
 * The presence item with the connection cap, in DynamoDB Local: it keeps at most `maxConnections` connections,
 * so a heartbeat (one UpdateItem on that item) costs the same small write however many sockets a user opened.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { PresenceStore } from '../../shared/store/presence-store.ts';
import { createTestTable } from '../support/dynamo.ts';

/** What each write cost, asked of DynamoDB (ReturnConsumedCapacity) for every command the store sends. */
const consumed: number[] = [];
let store: PresenceStore;
beforeAll(async () => {
  const table = await createTestTable();
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      command.input.ReturnConsumedCapacity = 'TOTAL';
      const answer = await table.client.send(command as Parameters<DynamoDBDocumentClient['send']>[0]);
      consumed.push(
        (answer as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0,
      );
      return answer;
    },
  } as unknown as DynamoDBDocumentClient;
  store = new PresenceStore({ client, tableName: table.tableName });
});

const start = Date.parse('2026-03-01T00:00:00Z');
const ttlMs = 1_200_000;
/** A connection id as API Gateway makes them (16 characters). */
const connectionIdOf = (i: number) => `Zk3fQdL8IAMCJq${String(i).padStart(2, '0')}`;

const put = (userId: string, i: number, nowMs: number, maxConnections = 10) =>
  store.putConnection({
    userId,
    connectionId: connectionIdOf(i),
    expiresAtMs: nowMs + ttlMs,
    nowMs,
    maxConnections,
  });

describe('PresenceStore with the connection cap', () => {
  it('keeps the 10 most recently renewed of 12 connections and answers the 2 it displaced', async () => {
    const displaced: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const answer = await put('twelve', i, start + i * 1000);
      displaced.push(...answer.displaced.map((c) => c.connectionId));
    }

    const sessions = (await store.getMany(['twelve'], start + 13_000)).get('twelve');
    expect(displaced).toEqual([connectionIdOf(1), connectionIdOf(2)]);
    expect(sessions?.connections.map((c) => c.connectionId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => connectionIdOf(i + 3)),
    );
  });

  it('renews one of 10 connections with one write of 1 WCU', async () => {
    for (let i = 1; i <= 10; i++) await put('ten', i, start + i * 1000);
    consumed.length = 0;

    const answer = await put('ten', 4, start + 60_000);

    expect(answer.displaced).toEqual([]);
    expect(consumed).toEqual([1]);
  });
});
