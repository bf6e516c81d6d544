/** DELETE /conversations/{conversationId}/messages/{messageId}: the author soft-deletes; the seq stays. */
import { deleteMessage } from '../../shared/domain/messaging.ts';
import { messagePath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { withAttachmentObjects } from '../../shared/handlers/attachment-context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

/** Its attachments' objects are deleted with it. */
export const handler = httpHandler(
  async ({ userId, path }, ctx) => {
    const { conversationId, messageId } = parseInput(messagePath, path);
    await deleteMessage(ctx, { userId, conversationId, messageId });
    return { statusCode: 204 };
  },
  { context: withAttachmentObjects() },
);
