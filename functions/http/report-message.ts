/** POST /conversations/{conversationId}/messages/{messageId}/reports: a member reports a message (once). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { reportBody } from '../../shared/domain/moderation-schemas.ts';
import { reportMessage } from '../../shared/domain/reports.ts';
import { messagePath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { metricNames, metrics } from '../../shared/observability.ts';

export const handler = httpHandler(
  async ({ userId, path, body }, ctx) => {
    const { conversationId, messageId } = parseInput(messagePath, path);
    const report = parseInput(reportBody, body);
    const { reportId, created } = await reportMessage(ctx, { userId, conversationId, messageId, ...report });
    if (created) metrics.addMetric(metricNames.reportsFiled, MetricUnit.Count, 1);
    return { statusCode: created ? 201 : 200, body: { reportId } };
  },
  { emitsMetrics: true },
);
