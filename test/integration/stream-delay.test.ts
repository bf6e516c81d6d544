/**
 * The local stream's delay (`STREAM_DELAY_MS`, `streamDelayMs`): a stored message reaches the stream consumer no
 * sooner than the delay after its write, in order, and records written while others wait are not delayed twice.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalFunctions } from '../../local/lambda.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { entityTypes, fanOutFilterPatterns } from '../../shared/shape/table.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { createTestTable } from '../support/dynamo.ts';
import { eventually } from '../support/target.ts';

const delayMs = 300;
const pollIntervalMs = 20;
let table: TableContext;
let poller: StreamPoller;
const deliveredAt = new Map<string, number>();
const order: string[] = [];

beforeAll(async () => {
  table = await createTestTable();
  const raw = new DynamoDBClient({
    endpoint: inject('local').dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const described = await raw.send(new DescribeTableCommand({ TableName: table.tableName }));
  raw.destroy();
  const functions = {
    invoke: async (_name: string, event: { Records: DynamoDBRecord[] }) => {
      for (const record of event.Records) {
        const body = record.dynamodb?.NewImage?.body?.S ?? '?';
        deliveredAt.set(body, performance.now());
        order.push(body);
      }
      return { batchItemFailures: [] };
    },
  } as unknown as LocalFunctions;
  poller = new StreamPoller({
    endpoint: inject('local').dynamoDbEndpoint,
    streamArn: described.Table?.LatestStreamArn ?? '',
    functions,
    consumerName: 'StreamFanOut',
    filterPatterns: fanOutFilterPatterns,
    pollIntervalMs,
    batchSize: 100,
    maxRetries: 0,
    startingPosition: 'TRIM_HORIZON',
    delayMs,
  });
  poller.start();
});

afterAll(() => poller.stop());

/** Stores a message and answers when the write was acknowledged. */
async function write(body: string, seq: number): Promise<number> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        pk: 'CONV#delayed',
        sk: `MSG#${String(seq).padStart(12, '0')}`,
        entity: entityTypes.message,
        body,
      },
    }),
  );
  return performance.now();
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the local stream with a delay', () => {
  it('hands each record to the consumer no sooner than the delay after its write, once and in order', async () => {
    const writtenAt = new Map<string, number>();
    // One every 100 ms: the later ones are written while the first ones are still held.
    for (let seq = 1; seq <= 4; seq++) {
      writtenAt.set(`m${seq}`, await write(`m${seq}`, seq));
      await pause(100);
    }
    await eventually(async () => expect(order).toHaveLength(4), 10_000);
    expect(order).toEqual(['m1', 'm2', 'm3', 'm4']);
    for (const [body, at] of writtenAt) {
      const waited = (deliveredAt.get(body) as number) - at;
      expect(waited).toBeGreaterThanOrEqual(delayMs);
      // The delay once, plus a poll and some slack; never the wait of the records ahead of it on top.
      expect(waited).toBeLessThan(delayMs + 200);
    }
  });
});
