/**
 * `$connect`: the authorizer already verified the token; record the connection, mark the user online, and note
 * when the token expires (the connection is closed then). A user suspended meanwhile is refused (403).
 */
import { subprotocolToEcho } from '../../shared/auth/connect-token.ts';
import { connect } from '../../shared/domain/presence.ts';
import { refuseSuspendedConnect } from '../../shared/domain/suspensions.ts';
import { scheduleTokenExpiry } from '../../shared/domain/token-expiry.ts';
import { lifecycleHandler } from '../../shared/handlers/lifecycle.ts';

export const handler = lifecycleHandler(async ({ userId, connectionId, tokenExpiresAtMs, headers }, ctx) => {
  await connect(ctx, { userId, connectionId });
  // After recording the connection, not before: see `refuseSuspendedConnect`.
  if (await refuseSuspendedConnect(ctx, { userId, connectionId })) return { refuseWith: 403 };
  await scheduleTokenExpiry(ctx, { userId, connectionId, tokenExpiresAtMs });
  const protocol = subprotocolToEcho(headers);
  return protocol ? { headers: { 'Sec-WebSocket-Protocol': protocol } } : {};
});
