/** PATCH /conversations/{conversationId}/messages/{messageId}: the author edits the body. */
import { editMessage } from '../../shared/domain/messaging.ts';
import { editMessageBody, messagePath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { filteringContext } from '../../shared/handlers/filtering-context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(
  async ({ userId, path, body }, ctx) => {
    const { conversationId, messageId } = parseInput(messagePath, path);
    const edit = parseInput(editMessageBody, body);
    return {
      statusCode: 200,
      body: await editMessage(ctx, { userId, conversationId, messageId, body: edit.body }),
    };
  },
  { context: filteringContext },
);
