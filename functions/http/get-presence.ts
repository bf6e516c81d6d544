/** GET /presence?userIds=a,b: online or offline with last seen, from state, for users one shares a conversation with. */
import { getPresence } from '../../shared/domain/live-state.ts';
import { presenceQuery } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { chatContext } from '../../shared/handlers/context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ query, userId }) => {
  const { userIds } = parseInput(presenceQuery, query);
  return { statusCode: 200, body: await getPresence(chatContext(), userId, userIds) };
});
