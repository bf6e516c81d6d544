/** DynamoDB Streams consumer: delivers new, edited and deleted messages; reports partial batch failures. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { withDeadline } from '../../shared/deadline.ts';
import { fanOut, type MessageChange } from '../../shared/domain/fan-out.ts';
import { chatContext } from '../../shared/handlers/context.ts';
import { logger, metricNames, metrics } from '../../shared/observability.ts';
import { toMessage } from '../../shared/store/message-store.ts';

/** A stream record as a message change, or undefined when nothing a client sees changed. */
export function toMessageChange(record: DynamoDBRecord): MessageChange | undefined {
  const image = record.dynamodb?.NewImage;
  const id = record.dynamodb?.SequenceNumber;
  if (!image || !id) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  const old = record.dynamodb?.OldImage
    ? unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>)
    : undefined;
  const kind =
    record.eventName === 'INSERT'
      ? 'new'
      : item.deletedAt && !old?.deletedAt
        ? 'deleted'
        : item.body !== old?.body
          ? 'updated'
          : undefined;
  if (!kind) return undefined;
  return {
    id,
    kind,
    message: toMessage(item),
    membersVersion: item.membersVersion as number,
    ...(item.senderConnectionId ? { senderConnectionId: item.senderConnectionId as string } : {}),
    ...(item.moveInbox === true ? { moveInbox: true } : {}),
  };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const changes = event.Records.map(toMessageChange).filter((c): c is MessageChange => c !== undefined);
    // Past the deadline the batch fails as a whole and is retried; the abandoned work delivers nothing more.
    const summary = await withDeadline(context, () => fanOut(chatContext(), changes));
    metrics.addMetric(metricNames.deliveries, MetricUnit.Count, summary.delivery.delivered);
    metrics.addMetric(metricNames.connectionsPruned, MetricUnit.Count, summary.delivery.pruned);
    metrics.addMetric(metricNames.deliveryRetries, MetricUnit.Count, summary.delivery.retries);
    metrics.addMetric(metricNames.deliveryFailures, MetricUnit.Count, summary.delivery.failed);
    metrics.addMetric(metricNames.streamRecordsFailed, MetricUnit.Count, summary.failedIds.length);
    for (const latency of summary.latenciesMs)
      metrics.addMetric(metricNames.deliveryLatency, MetricUnit.Milliseconds, latency);
    if (summary.failedIds.length > 0) logger.warn('Stream records failed', { failed: summary.failedIds });
    return { batchItemFailures: summary.failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
  });
