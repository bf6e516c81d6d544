/** POST /conversations/{conversationId}/messages: 201 when stored, 200 with the same message on a retry. */
import { sendMessage } from '../../shared/domain/messaging.ts';
import { conversationPath, sendMessageBody } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { withAttachmentObjects } from '../../shared/handlers/attachment-context.ts';
import { filteringContext } from '../../shared/handlers/filtering-context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { countSend } from '../../shared/observability.ts';

export const handler = httpHandler(
  async ({ userId, path, body }, ctx) => {
    const { conversationId } = parseInput(conversationPath, path);
    const input = parseInput(sendMessageBody, body);
    const { message, created } = await sendMessage(ctx, { ...input, userId, conversationId });
    if (created) countSend();
    return { statusCode: created ? 201 : 200, body: message };
  },
  { emitsMetrics: true, context: withAttachmentObjects(filteringContext) },
);
