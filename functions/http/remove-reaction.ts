/** DELETE /conversations/{conversationId}/messages/{messageId}/reactions/{emoji}: 204, also when there was none. */
import { removeReaction } from '../../shared/domain/reactions.ts';
import { reactionPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path }, ctx) => {
  await removeReaction(ctx, { userId, ...parseInput(reactionPath, path) });
  return { statusCode: 204 };
});
