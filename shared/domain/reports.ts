/**
 * Reports: a member flags a message for the moderators. A user reports a message once (again answers the same
 * report); the answer says nothing of other reporters.
 */
import { validationFailed } from '../errors.ts';
import { type ChatContext, isoNow } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { findMessage } from './messaging.ts';
import type { ReportReason } from './moderation-ports.ts';

export interface ReportRequest extends MemberRequest {
  messageId: string;
  reason: ReportReason;
  note?: string;
}

/** Answers the caller's report and whether this call made it (201) or it existed (200). */
export async function reportMessage(
  ctx: ChatContext,
  request: ReportRequest,
): Promise<{ reportId: string; created: boolean }> {
  const { userId, conversationId, messageId } = request;
  await ctx.access.member({ userId, conversationId });
  const message = await findMessage(ctx, { conversationId, messageId });
  if (message.senderId === userId) throw validationFailed('messageId', 'is your own message');
  return ctx.reports.report({
    conversationId,
    messageId,
    reportedUserId: message.senderId,
    reporterId: userId,
    reason: request.reason,
    ...(request.note ? { note: request.note } : {}),
    at: isoNow(ctx),
    newReportId: ctx.newId(),
    newGroupId: ctx.newId(),
  });
}
