/** POST /conversations/{conversationId}/read: move the read position forward. */
import { markRead } from '../../shared/domain/read-state.ts';
import { conversationPath, markReadBody } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path, body }, ctx) => {
  const { conversationId } = parseInput(conversationPath, path);
  const { seq } = parseInput(markReadBody, body);
  return { statusCode: 200, body: await markRead(ctx, { userId, conversationId, seq }) };
});
