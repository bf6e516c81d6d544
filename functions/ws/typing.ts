/** `typing`: straight to the other members' sockets, coalesced; it expires by itself. */

import { typingFrame } from '../../shared/domain/schemas.ts';
import { signalTyping } from '../../shared/domain/typing.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';

export const handler = webSocketHandler(async ({ userId, frame }, ctx) => {
  const { conversationId, isTyping } = parseInput(typingFrame, frame);
  await signalTyping(ctx, { userId, conversationId, isTyping });
});
