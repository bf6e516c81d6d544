/** Every minute: closes the connections whose tokens expired, with `error` `unauthorized` first. */
import type { Context } from 'aws-lambda';
import { withDeadline } from '../../shared/deadline.ts';
import { closeExpiredConnections } from '../../shared/domain/token-expiry.ts';
import { adapterChain } from '../../shared/handlers/chain.ts';
import { chatContext } from '../../shared/handlers/composition-root.ts';
import { logger } from '../../shared/observability.ts';

export const handler = adapterChain<unknown, void>().handler(async (_event: unknown, context: Context) => {
  const report = await withDeadline(context, () => closeExpiredConnections(chatContext()));
  if (report.closed > 0 || report.failed > 0)
    logger.info('Closed connections with expired tokens', { ...report });
  // A connection left open is retried by the next sweeps; failing makes the errors alarm say so.
  if (report.failed > 0)
    throw new Error(`${report.failed} connections with expired tokens could not be closed`);
});
