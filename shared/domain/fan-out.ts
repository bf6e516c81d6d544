/**
 * The stream consumer's use case: turns stored message changes into deliveries to every member's live
 * connections. At-least-once: a redelivered change is delivered again (clients de-duplicate by messageId)
 * and its other effects (inbox order) are idempotent.
 */
import type { DeliveryReport } from '../realtime/connection-sender.ts';
import { forEachBounded } from '../realtime/connection-sender.ts';
import { liveConnections } from '../realtime/notifier.ts';
import type { ChatContext } from './context.ts';
import type { Message, ServerEvent } from './model.ts';

export interface MessageChange {
  /** Identifies the change to the caller (the stream record's sequence number). */
  id: string;
  kind: 'new' | 'updated' | 'deleted';
  message: Message;
  membersVersion: number;
  senderConnectionId?: string;
  /** Set on the few new messages that move the members' inbox index (at most one a minute per conversation). */
  moveInbox?: boolean;
}

export interface FanOutSummary {
  failedIds: string[];
  delivery: DeliveryReport;
  /** Now minus `createdAt` of each newly delivered message, in milliseconds. */
  latenciesMs: number[];
}

function eventFor(change: MessageChange): ServerEvent {
  const { message } = change;
  if (change.kind === 'new') return { type: 'message.new', message };
  if (change.kind === 'updated') return { type: 'message.updated', message };
  return {
    type: 'message.deleted',
    conversationId: message.conversationId,
    messageId: message.messageId,
    seq: message.seq,
  };
}

export async function fanOut(ctx: ChatContext, changes: MessageChange[]): Promise<FanOutSummary> {
  const summary: FanOutSummary = {
    failedIds: [],
    delivery: { delivered: 0, pruned: 0, failed: 0, retries: 0 },
    latenciesMs: [],
  };
  // In order: one conversation's messages reach a socket in seq order. After a failure the rest of the batch
  // is reported failed too, so the retried batch resumes from the first failed record and keeps that order.
  for (const change of changes) {
    if (summary.failedIds.length > 0) {
      summary.failedIds.push(change.id);
      continue;
    }
    try {
      const report = await deliverChange(ctx, change);
      for (const key of ['delivered', 'pruned', 'failed', 'retries'] as const)
        summary.delivery[key] += report[key];
      if (report.failed > 0) throw new Error(`${report.failed} deliveries failed after retries`);
      if (change.kind === 'new') summary.latenciesMs.push(ctx.clock() - Date.parse(change.message.createdAt));
    } catch {
      summary.failedIds.push(change.id);
    }
  }
  return summary;
}

async function deliverChange(ctx: ChatContext, change: MessageChange): Promise<DeliveryReport> {
  const { conversationId, createdAt } = change.message;
  const members = await ctx.directory.members(conversationId, change.membersVersion);
  const memberIds = members.map((m) => m.userId);
  const sessions = await ctx.notifier.sessionsOf(memberIds);
  const except = change.kind === 'new' ? change.senderConnectionId : undefined;
  const report = await ctx.notifier.toConnections(liveConnections(sessions, except), eventFor(change));
  if (change.kind === 'new' && change.moveInbox) {
    // Moves each member's inbox entry to the top; conditional, so redelivery changes nothing.
    await forEachBounded(memberIds, 8, (userId) =>
      ctx.conversations.touchInbox(conversationId, userId, createdAt),
    );
  }
  return report;
}
