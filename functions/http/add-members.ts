/** POST /conversations/{conversationId}/members: a group admin adds members. */
import { addMembers } from '../../shared/domain/conversations.ts';
import { addMembersBody, conversationPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { chatContext } from '../../shared/handlers/context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path, body }) => {
  const { conversationId } = parseInput(conversationPath, path);
  const { userIds } = parseInput(addMembersBody, body);
  return { statusCode: 200, body: await addMembers(chatContext(), userId, conversationId, userIds) };
});
