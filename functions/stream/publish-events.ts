/**
 * The table stream's second consumer: publishes the domain events of new, removed and reported messages and of
 * suspensions (the stream is the outbox, so publishing never slows a send, and a failure here never makes the
 * fan-out redeliver). A batch whose events still fail after one retry resumes at the first such record.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createEventBridgeClient } from '../../shared/clients.ts';
import { type ItemChange, publishChanges } from '../../shared/domain/events.ts';
import type { EventPublisher } from '../../shared/domain/moderation-ports.ts';
import { adapterChain } from '../../shared/handlers/chain.ts';
import { EventBridgePublisher } from '../../shared/moderation/eventbridge-publisher.ts';
import { RecordingEventPublisher } from '../../shared/moderation/recording-publisher.ts';
import { logger, metricNames, metrics } from '../../shared/observability.ts';
import { toItemChange } from '../../shared/store/item-stream.ts';

/** Without a bus (a stack that has none) events are dropped; the local runtime records them. */
const droppingPublisher: EventPublisher = { publish: async () => ({ failed: [] }) };

let containerPublisher: EventPublisher | undefined;

/**
 * The bus the stack gave (`EVENT_BUS_NAME`), or the local recording. Built here, not in the composition root,
 * so that only this function's bundle carries the EventBridge client; it needs no table, so no context either.
 */
function publisher(): EventPublisher {
  const eventBusName = process.env.EVENT_BUS_NAME;
  containerPublisher ??= eventBusName
    ? new EventBridgePublisher(createEventBridgeClient(), eventBusName)
    : process.env.EVENT_PUBLISHER === 'recording'
      ? new RecordingEventPublisher()
      : droppingPublisher;
  return containerPublisher;
}

export const handler = adapterChain<DynamoDBStreamEvent, DynamoDBBatchResponse>({
  emitsMetrics: true,
}).handler(async (event) => {
  const changes = event.Records.map(toItemChange).filter((c): c is ItemChange => c !== undefined);
  const summary = await publishChanges(publisher(), changes);
  metrics.addMetric(metricNames.eventsPublished, MetricUnit.Count, summary.published);
  metrics.addMetric(metricNames.eventsFailed, MetricUnit.Count, summary.failed);
  if (!summary.firstFailedChangeId) return { batchItemFailures: [] };
  logger.warn('Domain events failed', { failed: summary.failed, from: summary.firstFailedChangeId });
  return { batchItemFailures: [{ itemIdentifier: summary.firstFailedChangeId }] };
});
