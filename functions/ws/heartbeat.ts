/** `heartbeat`: keep the connection and presence fresh; answered with `pong`. */
import { heartbeat } from '../../shared/domain/live-state.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';

export const handler = webSocketHandler(async ({ userId, connectionId }, ctx) => {
  await heartbeat(ctx, userId, connectionId);
});
