/**
 * Suspensions: a moderator stops a user at once, until a time or until lifted. The user's open sockets are told
 * (`error` `suspended`) and closed, `$connect` is refused (the authorizer, and `$connect` itself once more), every
 * HTTP call answers 403 `suspended` (`shared/handlers/http.ts`) and the push worker sends them nothing. Nothing
 * needs undoing when it ends: every check reads the suspension and compares its `until` with now.
 */
import * as z from 'zod/mini';
import { sleep } from '../async.ts';
import { suspended, validationFailed } from '../errors.ts';
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';
import type { Suspension } from './moderation-ports.ts';
import { moderationText } from './moderation-schemas.ts';
import { type Caller, requireModerator } from './moderators.ts';
import type { LiveConnection } from './ports.ts';
import { type ConnectionRef, disconnect } from './presence.ts';
import { endConnection } from './token-expiry.ts';

/** The longest suspension with an end; a longer one is a suspension until lifted. */
const maxSuspensionMs = 10 * 365 * 24 * 3600_000;

export const suspensionBody = z.object({
  until: z.optional(z.iso.datetime({ offset: true })),
  reason: moderationText(limits.maxModerationReasonLength),
});

export interface SuspendRequest {
  caller: Caller;
  userId: string;
  /** ISO time it ends by itself; none: until lifted. */
  until?: string | undefined;
  reason: string;
}

/** The time a suspension ends, normalised to UTC, if it is one within the allowed range. */
function endOf(ctx: ChatContext, until: string | undefined): string | undefined {
  if (until === undefined) return undefined;
  const untilMs = Date.parse(until);
  if (untilMs <= ctx.clock()) throw validationFailed('until', 'is not in the future');
  if (untilMs > ctx.clock() + maxSuspensionMs) {
    throw validationFailed('until', 'is more than 10 years ahead; leave it out to suspend until lifted');
  }
  return new Date(untilMs).toISOString();
}

/**
 * Suspends the user (again replaces the earlier suspension), audits it, then tells each of the user's sockets
 * and closes it. The sockets are listed strongly consistent, after the suspension is stored: a `$connect`
 * racing this either is listed here or sees the suspension itself (see `refuseSuspendedConnect`).
 */
export async function suspendUser(ctx: ChatContext, request: SuspendRequest): Promise<void> {
  const { caller, userId, reason } = request;
  requireModerator(caller);
  if (userId === caller.userId) throw validationFailed('userId', 'is you');
  const until = endOf(ctx, request.until);
  const at = isoNow(ctx);
  const suspension: Suspension = { userId, ...(until ? { until } : {}), reason, by: caller.userId, at };
  await ctx.suspensions.suspend(suspension);
  await ctx.audit.append({
    entryId: ctx.newId(),
    at,
    moderatorId: caller.userId,
    action: 'user.suspended',
    target: { userId },
    reason,
    ...(until ? { until } : {}),
  });
  await endSuspendedConnections(ctx, suspension);
}

/**
 * A connection recorded this recently may still be in its handshake (its `$connect` passed the check just before
 * the suspension was stored): API Gateway answers 410 to a close before `$connect` returns. Such connections are
 * closed once more, a moment later, when the handshake is over.
 */
const handshakeWindowMs = 10_000;
const secondCloseAfterMs = 1_500;

/**
 * Tells every connection of the user that they are suspended and closes it; the ones recorded in the last
 * seconds again after a moment (see `handshakeWindowMs`). Every one is tried; a failure is then raised (the
 * moderator's call answers 500 and may be repeated: suspending again changes nothing).
 */
async function endSuspendedConnections(ctx: ChatContext, { userId, until }: Suspension): Promise<void> {
  const notice = { type: 'error', code: 'suspended', message: suspended(until).message } as const;
  const listed = async () =>
    (await ctx.sessions.getMany([userId], ctx.clock(), { consistent: true })).get(userId)?.connections ?? [];
  const endAll = async (connections: LiveConnection[]) => {
    const ended = await Promise.allSettled(connections.map((c) => endConnection(ctx, c, notice)));
    const failure = ended.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  };
  const first = await listed();
  await endAll(first);
  // A connection's presence is set to expire a TTL after it was recorded or last renewed.
  const recordedSince = ctx.clock() + ctx.settings.presenceTtlSeconds * 1000 - handshakeWindowMs;
  const recent = new Set(first.filter((c) => c.expiresAtMs > recordedSince).map((c) => c.connectionId));
  if (recent.size === 0) return;
  await sleep(secondCloseAfterMs);
  await endAll((await listed()).filter((c) => recent.has(c.connectionId)));
}

/** Lifts the user's suspension; lifting one that is not there changes nothing and is not audited. */
export async function liftSuspension(
  ctx: ChatContext,
  { caller, userId }: { caller: Caller; userId: string },
) {
  requireModerator(caller);
  if (!(await ctx.suspensions.lift(userId))) return;
  await ctx.audit.append({
    entryId: ctx.newId(),
    at: isoNow(ctx),
    moderatorId: caller.userId,
    action: 'user.unsuspended',
    target: { userId },
  });
}

/**
 * Every HTTP call: a suspended caller is refused. Eventually consistent (half a read unit): in AWS it may miss a
 * suspension made within the last second, which a moderator's action can afford (the sockets are closed at once).
 */
export async function refuseSuspendedCaller(ctx: ChatContext, userId: string): Promise<void> {
  const suspension = await ctx.suspensions.inForce(userId, ctx.clock(), { consistent: false });
  if (suspension) throw suspended(suspension.until);
}

/**
 * `$connect`, once the connection is recorded: the authorizer refused suspended users already, but one whose
 * authorizer ran just before a suspension, and whose connection was recorded after the suspension listed the
 * user's connections, would survive it. Reading the suspension (strongly consistent) after recording the
 * connection closes that gap: of two writes each followed by a strongly consistent read of the other's item,
 * at least one read sees the other write. Answers true when the user is suspended: the connection is forgotten
 * again and `$connect` must refuse it (API Gateway then rejects the socket and runs no `$disconnect`).
 */
export async function refuseSuspendedConnect(ctx: ChatContext, connection: ConnectionRef): Promise<boolean> {
  if (!(await ctx.suspensions.inForce(connection.userId, ctx.clock()))) return false;
  await disconnect(ctx, connection);
  return true;
}
