/** GET /unread: total and per-conversation unread counts. */
import { getUnread } from '../../shared/domain/live-state.ts';
import { chatContext } from '../../shared/handlers/context.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId }) => ({
  statusCode: 200,
  body: await getUnread(chatContext(), userId),
}));
