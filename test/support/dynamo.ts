/** A fresh table in the run's DynamoDB Local for each integration test file, built from the shared definition. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createChatTable } from '../../local/table.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';

export async function createTestTable(): Promise<TableContext> {
  const { dynamoDbEndpoint } = inject('local');
  const raw = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = `test-${Math.random().toString(36).slice(2, 10)}`;
  await createChatTable(raw, tableName);
  return {
    client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  };
}
