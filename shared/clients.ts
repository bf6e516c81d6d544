/**
 * AWS clients, created once per container. The SDK reads `AWS_ENDPOINT_URL` itself, which points them at
 * DynamoDB Local or LocalStack; the `@connections` endpoint comes from `CONNECTIONS_ENDPOINT`, set by the stack.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * A send posts to every connection of a small conversation itself, and one execution environment may run
 * several invocations at once (`AWS_LAMBDA_MAX_CONCURRENCY`, as the local runtime does): the SDK's 50 sockets
 * per client would queue their posts behind each other.
 */
export function createManagementClient(endpoint: string | undefined): ApiGatewayManagementApiClient {
  const concurrency = Math.max(1, Number(process.env.AWS_LAMBDA_MAX_CONCURRENCY) || 1);
  const agent = { keepAlive: true, maxSockets: Math.min(1_000, 50 * concurrency) };
  return new ApiGatewayManagementApiClient({
    endpoint,
    requestHandler: { httpAgent: agent, httpsAgent: agent },
  });
}

/** The push queue's client; the local runtime points it at its own queue (`AWS_ENDPOINT_URL_SQS`). */
export function createSqsClient(): SQSClient {
  return new SQSClient({});
}

/** The domain events' client; only the event publisher's bundle carries it. */
export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({});
}

/**
 * The optional toxicity filter's client (`AWS_ENDPOINT_URL_COMPREHEND` points it elsewhere). No retries: the
 * filter's time-out is shorter than a retry's back-off, and its failure mode decides what a failure means.
 */
export function createComprehendClient(): ComprehendClient {
  return new ComprehendClient({ maxAttempts: 1 });
}
