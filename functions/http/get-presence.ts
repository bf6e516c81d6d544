/** GET /presence?userIds=a,b: online or offline with last seen, from state, for users one shares a conversation with. */
import { getPresence } from '../../shared/domain/presence.ts';
import { presenceQuery } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ query, userId }, ctx) => {
  const { userIds } = parseInput(presenceQuery, query);
  return { statusCode: 200, body: await getPresence(ctx, { userId, userIds }) };
});
