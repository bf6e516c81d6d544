/** Every five minutes: how long the oldest open report has waited, the metric of the 24-hour alarm. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { withDeadline } from '../../shared/deadline.ts';
import { oldestOpenReportAgeSeconds } from '../../shared/domain/moderation.ts';
import { adapterChain } from '../../shared/handlers/chain.ts';
import { chatContext } from '../../shared/handlers/composition-root.ts';
import { metricNames, metrics } from '../../shared/observability.ts';

export const handler = adapterChain<unknown, void>({ emitsMetrics: true }).handler(
  async (_event: unknown, context: Context) => {
    const ageSeconds = await withDeadline(context, () => oldestOpenReportAgeSeconds(chatContext()));
    metrics.addMetric(metricNames.oldestOpenReportAge, MetricUnit.Seconds, ageSeconds);
  },
);
