/** DELETE /moderation/messages/{conversationId}/{messageId}: a moderator removes a message for everyone. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { removeMessage } from '../../shared/domain/moderation.ts';
import { removalBody } from '../../shared/domain/moderation-schemas.ts';
import { messagePath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { withAttachmentObjects } from '../../shared/handlers/attachment-context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { metricNames, metrics } from '../../shared/observability.ts';

export const handler = httpHandler(
  async ({ userId, groups, path, body }, ctx) => {
    const { conversationId, messageId } = parseInput(messagePath, path);
    const { reason } = parseInput(removalBody, body);
    const outcome = await removeMessage(ctx, {
      caller: { userId, groups },
      conversationId,
      messageId,
      ...(reason ? { reason } : {}),
    });
    if (outcome === 'removed') metrics.addMetric(metricNames.messagesRemoved, MetricUnit.Count, 1);
    return { statusCode: 204 };
  },
  { emitsMetrics: true, context: withAttachmentObjects() },
);
