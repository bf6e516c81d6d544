/** Structured JSON logs and CloudWatch metrics (embedded metric format) through Powertools for AWS Lambda. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const serviceName = 'serverless-chat';
export const metricsNamespace = 'ServerlessChat';

export const logger = new Logger({ serviceName });
// Its own warnings (e.g. an invocation with no metrics) go through the structured logger and its level.
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName, logger });

/** Metric names, shared by the functions that emit them and the dashboard and alarms that read them. */
export const metricNames = {
  messagesSent: 'MessagesSent',
  deliveries: 'Deliveries',
  deliveryFailures: 'DeliveryFailures',
  connectionsPruned: 'ConnectionsPruned',
  deliveryRetries: 'DeliveryRetries',
  deliveryLatency: 'DeliveryLatency',
  streamRecordsFailed: 'StreamRecordsFailed',
  pushesSent: 'PushesSent',
  pushesFailed: 'PushesFailed',
  /** Devices forgotten because APNs or FCM rejected their token. */
  pushesInvalid: 'PushesInvalid',
  /** Members who got no push, by reason (the `reason` dimension). */
  pushesSkipped: 'PushesSkipped',
  /** Reports filed (a user's second report of a message is not counted), and messages moderators removed. */
  reportsFiled: 'ReportsFiled',
  messagesRemoved: 'MessagesRemoved',
  /** Seconds the oldest open report has waited: the alarm keeps the 24-hour promise. */
  oldestOpenReportAge: 'OldestOpenReportAge',
  /** Suspensions made by moderators. */
  usersSuspended: 'UsersSuspended',
  /** Messages (sends and edits) the content filter refused, by the refusing rule (the `rule` dimension). */
  messagesFiltered: 'MessagesFiltered',
  /** Domain events put on the event bus, and those still refused after a retry (their batch is retried). */
  eventsPublished: 'EventsPublished',
  eventsFailed: 'EventsFailed',
} as const;

/** Counts one stored message. */
export function countSend(): void {
  metrics.addMetric(metricNames.messagesSent, MetricUnit.Count, 1);
}

/**
 * Counts one message the content filter refused, under its rule (`word-list`, `toxicity`...). Published at once
 * (a single metric), so no function needs the metrics middleware for it.
 */
export function countFiltered(rule: string): void {
  const single = metrics.singleMetric();
  single.addDimension('rule', rule);
  single.addMetric(metricNames.messagesFiltered, MetricUnit.Count, 1);
}
