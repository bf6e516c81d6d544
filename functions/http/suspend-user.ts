/** PUT /moderation/suspensions/{userId}: a moderator suspends a user, at once (again replaces the suspension). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { userPath } from '../../shared/domain/schemas.ts';
import { suspendUser, suspensionBody } from '../../shared/domain/suspensions.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { metricNames, metrics } from '../../shared/observability.ts';

export const handler = httpHandler(
  async ({ userId, groups, path, body }, ctx) => {
    const target = parseInput(userPath, path);
    const input = parseInput(suspensionBody, body);
    await suspendUser(ctx, { caller: { userId, groups }, userId: target.userId, ...input });
    metrics.addMetric(metricNames.usersSuspended, MetricUnit.Count, 1);
    return { statusCode: 204 };
  },
  { emitsMetrics: true },
);
