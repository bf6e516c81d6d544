/** `$connect`: the authorizer already verified the token; record the connection and mark the user online. */
import { subprotocolToEcho } from '../../shared/auth/connect-token.ts';
import { connect } from '../../shared/domain/presence.ts';
import { lifecycleHandler } from '../../shared/handlers/lifecycle.ts';

export const handler = lifecycleHandler(async ({ userId, connectionId, headers }, ctx) => {
  await connect(ctx, { userId, connectionId });
  const protocol = subprotocolToEcho(headers);
  return protocol ? { headers: { 'Sec-WebSocket-Protocol': protocol } } : {};
});
