/** GET /conversations: the inbox, most recent activity first, with last message and unread count. */
import { listInbox } from '../../shared/domain/conversations.ts';
import { inboxQuery } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, query }, ctx) => {
  const page = parseInput(inboxQuery, query);
  return { statusCode: 200, body: await listInbox(ctx, { userId, ...page }) };
});
