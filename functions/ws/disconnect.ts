/** `$disconnect` (best effort: connections also expire by themselves): forget the connection and its expiry. */
import { disconnect } from '../../shared/domain/presence.ts';
import { forgetTokenExpiry } from '../../shared/domain/token-expiry.ts';
import { lifecycleHandler } from '../../shared/handlers/lifecycle.ts';

export const handler = lifecycleHandler(async ({ userId, connectionId, tokenExpiresAtMs }, ctx) => {
  await disconnect(ctx, { userId, connectionId });
  await forgetTokenExpiry(ctx, { connectionId, tokenExpiresAtMs });
  return {};
});
