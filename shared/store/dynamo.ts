/** Small DynamoDB helpers shared by the repositories: batched reads and paged queries. */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { forEachBounded, sleep } from '../async.ts';

export interface TableContext {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * A DynamoDB action as IAM names it; each lib-dynamodb command is the action of the same name, except that IAM
 * has no action for a transaction: it checks each of its items' (Put, Update, Delete, ConditionCheck).
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/**
 * The actions an adapter issues, which the functions using it are granted (`shared/shape/routes.ts` says which
 * adapters each function uses). `test/unit/store/table-operations.test.ts` fails when they differ from its code.
 */
export interface AdapterOperations {
  readonly read: readonly TableAction[];
  readonly write: readonly TableAction[];
  /** Queries the inbox index as well as the base table. */
  readonly index: boolean;
  /** Issued only by the local runtime, never granted to a deployed function. */
  readonly localOnly?: readonly TableAction[];
}

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

const batchGetMaxKeys = 100;
const maxUnprocessedRetries = 8;

export interface BatchGetOptions {
  /** Only these attributes (a ProjectionExpression and its names); the capacity is the same, the answer smaller. */
  projection?: { expression: string; names?: Record<string, string> };
  /** BatchGetItem calls in flight at once. @default 1 */
  parallel?: number;
  /** Strongly consistent reads (twice the capacity). @default false */
  consistent?: boolean;
}

/** Reads many items with BatchGetItem (100 keys a call), retrying unprocessed keys with backoff. */
export async function batchGet(
  { client, tableName }: TableContext,
  itemKeys: Key[],
  { projection, parallel = 1, consistent = false }: BatchGetOptions = {},
): Promise<Item[]> {
  const unique = [...new Map(itemKeys.map((key) => [`${key.pk}|${key.sk}`, key])).values()];
  const chunks: Key[][] = [];
  for (let start = 0; start < unique.length; start += batchGetMaxKeys) {
    chunks.push(unique.slice(start, start + batchGetMaxKeys));
  }
  const items: Item[] = [];
  await forEachBounded(chunks, parallel, async (chunk) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > maxUnprocessedRetries)
        throw new Error('BatchGetItem left keys unprocessed after retries');
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
      const answer = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ...(consistent ? { ConsistentRead: true } : {}),
              ...(projection
                ? {
                    ProjectionExpression: projection.expression,
                    ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
                  }
                : {}),
            },
          },
        }),
      );
      items.push(...(answer.Responses?.[tableName] ?? []));
      pending = (answer.UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
    }
  });
  return items;
}

/** Runs a query to its end, page by page. */
export async function queryAll(
  { client, tableName }: TableContext,
  input: Omit<QueryCommandInput, 'TableName'>,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** True when a DynamoDB error is a failed condition of a single-item write (not a cancelled transaction). */
export function isConditionFailure(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write: true when it was made, false when its condition failed; other errors throw. */
export async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The cancellation reason codes of a cancelled transaction, one per item, or undefined for other errors. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  const candidate = error as { name?: string; CancellationReasons?: { Code?: string }[] } | undefined;
  if (candidate?.name !== 'TransactionCanceledException') return undefined;
  return (candidate.CancellationReasons ?? []).map((reason) => reason.Code);
}
