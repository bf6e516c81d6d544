/**
 * Setup data written straight into a table (not through the API), with the item shapes the stores write:
 * BatchWriteItem 25 items a call, several calls at once, unprocessed items retried. The writes go to DynamoDB
 * Local directly, past the counting proxy, so they never count in a measurement.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachBounded, sleep } from '../shared/async.ts';
import type { Item } from '../shared/store/dynamo.ts';

const itemsPerCall = 25;

export async function writeItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  parallel = 8,
): Promise<void> {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += itemsPerCall) {
    chunks.push(items.slice(start, start + itemsPerCall));
  }
  await forEachBounded(chunks, parallel, async (chunk) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1_000, 20 * 2 ** attempt));
      const answer = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (answer.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  });
}
