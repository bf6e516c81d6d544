/**
 * Use cases of a token's lifetime: a connection stops working at its token's `exp`. A frame on a connection whose
 * token has expired, and the sweep that finds quiet ones, answer `error` `unauthorized` and close the connection;
 * the client reconnects with a fresh token.
 */
import { forEachBounded } from '../async.ts';
import type { ChatContext } from './context.ts';
import type { ServerEvent } from './model.ts';
import type { ExpiringConnection } from './ports.ts';
import type { ConnectionRef } from './presence.ts';

/** How far back a sweep looks: connections a missed or failed sweep left open are closed by the next ones. */
export const sweepLookbackMs = 5 * 60_000;

const sweepConcurrency = 16;

const tokenExpired = {
  type: 'error',
  code: 'unauthorized',
  message: 'The token has expired: reconnect with a fresh token',
} as const;

/** Whether the token no longer holds (JWT: not on or after `exp`); an unknown expiry holds no longer either. */
export function tokenHasExpired(tokenExpiresAtMs: number | undefined, nowMs: number): boolean {
  return tokenExpiresAtMs === undefined || tokenExpiresAtMs <= nowMs;
}

/** At `$connect`: remembers when the connection's token expires, for the sweep. */
export async function scheduleTokenExpiry(
  ctx: ChatContext,
  { tokenExpiresAtMs, ...connection }: ConnectionRef & { tokenExpiresAtMs: number | undefined },
): Promise<void> {
  if (tokenExpiresAtMs !== undefined)
    await ctx.connectionExpiry.schedule({ ...connection, tokenExpiresAtMs });
}

/** At `$disconnect`: a closed connection needs no sweep. */
export async function forgetTokenExpiry(
  ctx: ChatContext,
  { connectionId, tokenExpiresAtMs }: { connectionId: string; tokenExpiresAtMs: number | undefined },
): Promise<void> {
  if (tokenExpiresAtMs !== undefined) await ctx.connectionExpiry.forget({ connectionId, tokenExpiresAtMs });
}

/** Tells the connection why it ends (an `error` event), then closes it: API Gateway runs its `$disconnect`. */
export async function endConnection(
  ctx: ChatContext,
  connection: ConnectionRef,
  reason: Extract<ServerEvent, { type: 'error' }>,
): Promise<void> {
  await ctx.notifier.toConnection(connection, reason);
  await ctx.connectionCloser.close(connection.connectionId);
}

/** Tells the connection its token has expired (naming the frame that found it, if any), then closes it. */
export async function endExpiredConnection(
  ctx: ChatContext,
  connection: ConnectionRef,
  frame: { action?: string | undefined; clientMessageId?: string | undefined } = {},
): Promise<void> {
  await endConnection(ctx, connection, {
    ...tokenExpired,
    ...(frame.clientMessageId ? { clientMessageId: frame.clientMessageId } : {}),
    ...(frame.action ? { action: frame.action } : {}),
  });
}

export interface SweepReport {
  closed: number;
  /** Left for the next sweep (within `sweepLookbackMs`). */
  failed: number;
}

/**
 * Ends every connection whose token expired within the lookback: reads only those connections (by expiry), so its
 * cost follows the number of expiring connections, not of open ones.
 */
export async function closeExpiredConnections(ctx: ChatContext): Promise<SweepReport> {
  const nowMs = ctx.clock();
  const due = await ctx.connectionExpiry.expiredBetween({ fromMs: nowMs - sweepLookbackMs, toMs: nowMs + 1 });
  const report: SweepReport = { closed: 0, failed: 0 };
  const end = async (connection: ExpiringConnection) => {
    try {
      await endExpiredConnection(ctx, connection);
      await ctx.connectionExpiry.forget(connection);
      report.closed++;
    } catch {
      report.failed++;
    }
  };
  await forEachBounded(due, sweepConcurrency, end);
  return report;
}
