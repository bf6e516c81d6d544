/** GET /conversations/{conversationId}/messages: history by seq cursor. */
import { listMessages } from '../../shared/domain/messaging.ts';
import { conversationPath, listMessagesQuery } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path, query }, ctx) => {
  const { conversationId } = parseInput(conversationPath, path);
  const page = parseInput(listMessagesQuery, query);
  return { statusCode: 200, body: await listMessages(ctx, { userId, conversationId, ...page }) };
});
