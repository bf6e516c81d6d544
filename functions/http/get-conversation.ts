/** GET /conversations/{conversationId}: the conversation with its members. */
import { loadConversation } from '../../shared/domain/conversations.ts';
import { conversationPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path }, ctx) => {
  const { conversationId } = parseInput(conversationPath, path);
  return { statusCode: 200, body: await loadConversation(ctx, { conversationId, userId }) };
});
