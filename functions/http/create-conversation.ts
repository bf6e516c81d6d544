/** POST /conversations: a direct conversation (created once per pair) or a group. */
import { createConversation } from '../../shared/domain/conversations.ts';
import { createConversationBody } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, body }, ctx) => {
  const input = parseInput(createConversationBody, body);
  const { conversation, created } = await createConversation(ctx, { userId, input });
  return { statusCode: created ? 201 : 200, body: conversation };
});
