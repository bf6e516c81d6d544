/** `sendMessage`: store the message and ack it to this socket; the stream fan-out tells everyone else. */
import { sendMessage } from '../../shared/domain/messaging.ts';
import { sendMessageFrame } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { withAttachmentObjects } from '../../shared/handlers/attachment-context.ts';
import { filteringContext } from '../../shared/handlers/filtering-context.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';
import { countSend } from '../../shared/observability.ts';

export const handler = webSocketHandler(
  async ({ userId, connectionId, frame }, ctx) => {
    const input = parseInput(sendMessageFrame, frame);
    const { message, created } = await sendMessage(ctx, { ...input, userId, connectionId });
    if (created) countSend();
    await ctx.notifier.toConnection(
      { userId, connectionId },
      {
        type: 'message.ack',
        clientMessageId: input.clientMessageId,
        message,
      },
    );
  },
  { emitsMetrics: true, context: withAttachmentObjects(filteringContext) },
);
