/**
 * The stream consumer's use case: turns stored message changes into deliveries to every member's live
 * connections. At-least-once: a redelivered change is delivered again (clients de-duplicate by messageId)
 * and its other effects (inbox order) are idempotent.
 */
import { forEachBounded } from '../async.ts';
import type { ChatContext } from './context.ts';
import type { Message, ServerEvent } from './model.ts';
import { connectionsOf, type DeliveryReport } from './ports.ts';

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

/** Conversations of one batch delivered at the same time; each conversation's records stay in order. */
const conversationsInParallel = 8;

export async function fanOut(ctx: ChatContext, changes: MessageChange[]): Promise<FanOutSummary> {
  const summary: FanOutSummary = {
    failedIds: [],
    delivery: { delivered: 0, pruned: 0, failed: 0, retries: 0 },
    latenciesMs: [],
  };
  const byConversation = new Map<string, { change: MessageChange; index: number }[]>();
  changes.forEach((change, index) => {
    const queue = byConversation.get(change.message.conversationId) ?? [];
    queue.push({ change, index });
    byConversation.set(change.message.conversationId, queue);
  });
  let firstFailure = changes.length;
  await forEachBounded([...byConversation.values()], conversationsInParallel, async (queue) => {
    for (const { change, index } of queue) {
      try {
        const report = await deliverChange(ctx, change);
        for (const key of ['delivered', 'pruned', 'failed', 'retries'] as const)
          summary.delivery[key] += report[key];
        if (report.failed > 0) throw new Error(`${report.failed} deliveries failed after retries`);
        if (change.kind === 'new')
          summary.latenciesMs.push(ctx.clock() - Date.parse(change.message.createdAt));
      } catch {
        // The rest of this conversation waits for the retry, so its messages still arrive in seq order.
        firstFailure = Math.min(firstFailure, index);
        return;
      }
    }
  });
  // Lambda resumes a stream batch at its first failed record: report it and everything after it.
  summary.failedIds = changes.slice(firstFailure).map((change) => change.id);
  return summary;
}

async function deliverChange(ctx: ChatContext, change: MessageChange): Promise<DeliveryReport> {
  const { conversationId, createdAt } = change.message;
  const members = await ctx.directory.members(conversationId, change.membersVersion);
  const memberIds = members.map((m) => m.userId);
  const sessions = await ctx.notifier.sessionsOf(memberIds);
  const except = change.kind === 'new' ? change.senderConnectionId : undefined;
  const report = await ctx.notifier.toConnections(connectionsOf(sessions, except), eventFor(change));
  if (change.kind === 'new' && change.moveInbox) {
    // Moves each member's inbox entry to the top; conditional, so redelivery changes nothing.
    await forEachBounded(memberIds, 8, (userId) =>
      ctx.conversations.touchInbox({ conversationId, userId, lastActivityAt: createdAt }),
    );
  }
  return report;
}
