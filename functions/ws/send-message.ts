/**
 * `sendMessage`: store the message and ack it to this socket as soon as its intent is recorded (from then on it
 * is stored even if this function dies), before its deliveries; the send (small conversations) or the stream
 * fan-out tells everyone else.
 */

import { sendMessage } from '../../shared/domain/messaging.ts';
import type { Message } from '../../shared/domain/model.ts';
import { sendMessageFrame } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { withAttachmentObjects } from '../../shared/handlers/attachment-context.ts';
import { filteringContext } from '../../shared/handlers/filtering-context.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';
import { countSend } from '../../shared/observability.ts';

export const handler = webSocketHandler(
  async ({ userId, connectionId, frame, reply }, ctx) => {
    const input = parseInput(sendMessageFrame, frame);
    const ack = (message: Message) =>
      reply({ type: 'message.ack', clientMessageId: input.clientMessageId, message });
    const { message, created } = await sendMessage(ctx, {
      ...input,
      userId,
      connectionId,
      onAccepted: (accepted) => {
        countSend();
        return ack(accepted);
      },
    });
    // A retry of a recorded send records no intent of its own: it is answered with what the first try stored.
    if (!created) await ack(message);
  },
  { emitsMetrics: true, context: withAttachmentObjects(filteringContext) },
);
