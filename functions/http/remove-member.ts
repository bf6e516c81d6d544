/** DELETE /conversations/{conversationId}/members/{userId}: leave, or a group admin removes a member. */
import { removeMember } from '../../shared/domain/conversations.ts';
import { memberPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path }, ctx) => {
  const target = parseInput(memberPath, path);
  await removeMember(ctx, { userId, conversationId: target.conversationId, targetId: target.userId });
  return { statusCode: 204 };
});
