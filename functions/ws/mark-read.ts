/** `markRead`: move the read position forward; others get `read`, the reader's devices get `unread`. */
import { markRead } from '../../shared/domain/read-state.ts';
import { markReadFrame } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';

export const handler = webSocketHandler(async ({ userId, frame }, ctx) => {
  const { conversationId, seq } = parseInput(markReadFrame, frame);
  await markRead(ctx, { userId, conversationId, seq });
});
