/** DynamoDB Streams consumer: delivers new, edited and deleted messages; reports partial batch failures. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { withDeadline } from '../../shared/deadline.ts';
import { fanOut, type StreamChange } from '../../shared/domain/fan-out.ts';
import { chatContext } from '../../shared/handlers/composition-root.ts';
import { logger, metricNames, metrics } from '../../shared/observability.ts';
import { toMessageChange } from '../../shared/store/message-stream.ts';

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const changes = event.Records.map(toMessageChange).filter((c): c is StreamChange => c !== undefined);
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
