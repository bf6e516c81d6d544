/** GET /unread: total and per-conversation unread counts. */
import { getUnread } from '../../shared/domain/read-state.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId }, ctx) => ({
  statusCode: 200,
  body: await getUnread(ctx, userId),
}));
