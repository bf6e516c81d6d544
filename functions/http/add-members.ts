/** POST /conversations/{conversationId}/members: a group admin adds members. */
import { addMembers } from '../../shared/domain/conversations.ts';
import { addMembersBody, conversationPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path, body }, ctx) => {
  const { conversationId } = parseInput(conversationPath, path);
  const { userIds } = parseInput(addMembersBody, body);
  return { statusCode: 200, body: await addMembers(ctx, { userId, conversationId, userIds }) };
});
