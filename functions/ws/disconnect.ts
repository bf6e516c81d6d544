/** `$disconnect` (best effort: connections also expire by themselves): forget the connection. */
import { disconnect } from '../../shared/domain/presence.ts';
import { lifecycleHandler } from '../../shared/handlers/lifecycle.ts';

export const handler = lifecycleHandler(async ({ userId, connectionId }, ctx) => {
  await disconnect(ctx, { userId, connectionId });
  return {};
});
