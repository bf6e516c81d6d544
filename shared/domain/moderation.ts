/**
 * What moderators do with reports and messages: the open reports oldest first, removing a message for
 * everyone, resolving a report. Each action is checked here (not only at the gateway) and audited.
 * Suspensions are in suspensions.ts.
 */
import { forEachBounded } from '../async.ts';
import { conflict, notFound } from '../errors.ts';
import { discardAttachments } from './attachments.ts';
import { type ChatContext, isoNow } from './context.ts';
import { findMessage } from './messaging.ts';
import type { Message } from './model.ts';
import type { ReportGroup, ReportStatus, ResolutionAction } from './moderation-ports.ts';
import { type Caller, requireModerator } from './moderators.ts';

/** A report group as moderators list it: with the message as it is now (`null` once expired). */
export interface ReportView extends ReportGroup {
  message: Message | null;
}

/** Reported messages read at once for a page of reports. */
const messageReadsInParallel = 10;

export async function listReports(
  ctx: ChatContext,
  request: { caller: Caller; status: ReportStatus; limit: number; cursor?: string },
): Promise<{ items: ReportView[]; cursor: string | null }> {
  requireModerator(request.caller);
  const page = await ctx.reports.list(request);
  const items: ReportView[] = page.items.map((group) => ({ ...group, message: null }));
  await forEachBounded(items, messageReadsInParallel, async (item) => {
    item.message = await findMessage(ctx, item).catch(() => null);
  });
  return { items, cursor: page.cursor ?? null };
}

/**
 * Removes a message for everyone, whoever sent it: members get `message.deleted` with `removedBy: moderator`
 * (through the stream, like a deletion) and history shows it deleted. Removing it again changes nothing.
 */
export async function removeMessage(
  ctx: ChatContext,
  request: { caller: Caller; conversationId: string; messageId: string; reason?: string },
): Promise<'removed' | 'already-deleted'> {
  requireModerator(request.caller);
  const message = await findMessage(ctx, request);
  const at = isoNow(ctx);
  const removed = await ctx.messages.remove({
    conversationId: message.conversationId,
    seq: message.seq,
    removedAt: at,
  });
  if (!removed) return 'already-deleted';
  // Its files go too: what was removed must not stay downloadable.
  await Promise.all([ctx.messages.refreshLastMessage(removed), discardAttachments(ctx, message)]);
  await ctx.audit.append({
    entryId: ctx.newId(),
    at,
    moderatorId: request.caller.userId,
    action: 'message.removed',
    target: {
      conversationId: message.conversationId,
      messageId: message.messageId,
      userId: message.senderId,
    },
    ...(request.reason ? { reason: request.reason } : {}),
  });
  return 'removed';
}

/** Records what was done about an open report; the removal or suspension itself is its own action. */
export async function resolveReport(
  ctx: ChatContext,
  request: { caller: Caller; reportId: string; action: ResolutionAction },
): Promise<void> {
  requireModerator(request.caller);
  const at = isoNow(ctx);
  const outcome = await ctx.reports.resolve({ ...request, by: request.caller.userId, at });
  if (outcome === 'not-found') throw notFound('report');
  if (outcome === 'not-open') throw conflict('The report is resolved already');
  await ctx.audit.append({
    entryId: ctx.newId(),
    at,
    moderatorId: request.caller.userId,
    action: 'report.resolved',
    target: { reportId: request.reportId },
    outcome: request.action,
  });
}

/** How long the oldest open report has waited, in seconds (0 when none is open): the 24-hour promise. */
export async function oldestOpenReportAgeSeconds(ctx: ChatContext): Promise<number> {
  const first = await ctx.reports.oldestOpenReportedAt();
  return first === undefined ? 0 : Math.max(0, Math.round((ctx.clock() - Date.parse(first)) / 1000));
}
