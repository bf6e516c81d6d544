/**
 * AWS clients, created once per container. The SDK reads `AWS_ENDPOINT_URL` itself, which points them at
 * DynamoDB Local or LocalStack; the `@connections` endpoint comes from `CONNECTIONS_ENDPOINT`, set by the stack.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createManagementClient(endpoint: string | undefined): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({ endpoint });
}

/** The push queue's client; the local runtime points it at its own queue (`AWS_ENDPOINT_URL_SQS`). */
export function createSqsClient(): SQSClient {
  return new SQSClient({});
}
