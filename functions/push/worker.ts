/**
 * SQS consumer of push jobs: sends each job's pushes through SNS mobile push (or the local recording sink), and
 * reports the jobs with a failed push as partial batch failures, so that only they are retried (their pushes
 * already sent are not sent again: each is claimed). A job that keeps failing goes to the dead-letter queue.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { forEachBounded } from '../../shared/async.ts';
import type { ChatContext } from '../../shared/domain/context.ts';
import { type PushReport, sendPushes } from '../../shared/domain/push.ts';
import { buildChatContext } from '../../shared/handlers/composition-root.ts';
import { logger, metricNames, metrics } from '../../shared/observability.ts';
import { SnsPushSender } from '../../shared/push/sns-push-sender.ts';
import { parsePushJob } from '../../shared/push/sqs-push-queue.ts';

/** Jobs of one batch handled at once (each decides up to 500 recipients, eight at a time). */
const jobsInParallel = 4;

let workerContext: ChatContext | undefined;

/** The container's context, with SNS as its push sender unless the local runtime records pushes. */
function context(): ChatContext {
  workerContext ??= buildChatContext(
    process.env.PUSH_SENDER === 'recording'
      ? {}
      : {
          pushSender: new SnsPushSender({
            client: new SNSClient({}),
            applications: {
              ...(process.env.APNS_PLATFORM_APPLICATION_ARN
                ? { apns: process.env.APNS_PLATFORM_APPLICATION_ARN }
                : {}),
              ...(process.env.FCM_PLATFORM_APPLICATION_ARN
                ? { fcm: process.env.FCM_PLATFORM_APPLICATION_ARN }
                : {}),
            },
          }),
        },
  );
  return workerContext;
}

function addMetrics(report: PushReport): void {
  metrics.addMetric(metricNames.pushesSent, MetricUnit.Count, report.sent);
  metrics.addMetric(metricNames.pushesFailed, MetricUnit.Count, report.failed);
  metrics.addMetric(metricNames.pushesInvalid, MetricUnit.Count, report.invalid);
  for (const [reason, count] of Object.entries(report.skipped)) {
    if (count === 0) continue;
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(metricNames.pushesSkipped, MetricUnit.Count, count);
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const ctx = context();
    const failed: string[] = [];
    await forEachBounded(event.Records, jobsInParallel, async (record) => {
      let job: ReturnType<typeof parsePushJob>;
      try {
        job = parsePushJob(record.body);
      } catch {
        // Not a job: retrying cannot help, so it is dropped, loudly.
        logger.error('Dropped a malformed push job', { messageId: record.messageId });
        return;
      }
      try {
        const report = await sendPushes(ctx, job);
        addMetrics(report);
        if (report.failed > 0) failed.push(record.messageId);
      } catch (error) {
        logger.warn('Push job failed', { messageId: record.messageId, error: String(error) });
        failed.push(record.messageId);
      }
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  });
