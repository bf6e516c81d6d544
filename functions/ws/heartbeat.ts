/** `heartbeat`: keeps the connection open and its record fresh; answered with `pong` only when asked. */
import { heartbeat } from '../../shared/domain/presence.ts';
import { heartbeatFrame } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';

export const handler = webSocketHandler(async ({ userId, connectionId, frame }, ctx) => {
  const { reply } = parseInput(heartbeatFrame, frame);
  await heartbeat(ctx, { userId, connectionId, reply });
});
