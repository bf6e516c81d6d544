/**
 * Deliveries of messages. A small conversation's new message is delivered by its send (`deliverOnSend`); the
 * stream consumer (`fanOut`) delivers the rest, edits and deletions, and completes sends whose function died.
 * At-least-once: a redelivered change is delivered again (clients de-duplicate by messageId) and its other
 * effects (inbox order) are idempotent.
 */
import { forEachBounded, sleep } from '../async.ts';
import type { ChatContext } from './context.ts';
import { limits } from './limits.ts';
import type { Member, Message, ServerEvent } from './model.ts';
import { connectionsOf, type DeliveryReport, type SendIntent, type UserSessions } from './ports.ts';
import { enqueuePushes } from './push.ts';
import { noteMentions } from './rich-messages.ts';

export interface MessageChange {
  /** Identifies the change to the caller (the stream record's sequence number). */
  id: string;
  kind: 'new' | 'updated' | 'deleted';
  message: Message;
  membersVersion: number;
  senderConnectionId?: string;
  /** Set on the few new messages that move the members' inbox index (at most one a minute per conversation). */
  moveInbox?: boolean;
  /** A new message its send already delivered: nothing to post. */
  deliveredOnSend?: boolean;
}

/** A recorded send: its message should follow; if it does not, the send's function died. */
interface IntentChange {
  id: string;
  kind: 'intent';
  intent: SendIntent;
}

export type StreamChange = MessageChange | IntentChange;

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
    ...(message.removedBy ? { removedBy: message.removedBy } : {}),
  };
}

/** Conversations of one batch delivered at the same time; each conversation's records stay in order. */
const conversationsInParallel = 8;

/**
 * The send's own delivery of a new message when the conversation has at most `directDeliveryMaxConnections`
 * live connections besides the sender's; answers whether every connection got it.
 */
export async function deliverOnSend(
  ctx: ChatContext,
  intent: SendIntent,
  members: Member[],
): Promise<boolean> {
  const limit = ctx.settings.directDeliveryMaxConnections;
  // Counting connections means reading every member's: a conversation with more other members than the limit
  // goes to the stream without that read, even when few of them are online.
  if (limit === 0 || members.length > limit + 1) return false;
  const sessions = await ctx.notifier.sessionsOf(members.map((member) => member.userId));
  const connections = connectionsOf(sessions, intent.senderConnectionId);
  if (connections.length > limit) return false;
  // Push jobs for the members without a connection, queued while the posts go. A send that cannot queue them
  // leaves the message to the stream (`delivery: 'stream'`), whose consumer queues them; the worker's claims
  // drop a second job's pushes.
  const [report, queued] = await Promise.all([
    ctx.notifier.toConnections(connections, { type: 'message.new', message: intent.message }),
    enqueuePushes(ctx, intent.message, members, sessions).then(
      () => true,
      () => false,
    ),
  ]);
  return report.failed === 0 && queued;
}

const storedKeyOf = (message: Message) => `${message.conversationId}#${message.seq}`;

export async function fanOut(ctx: ChatContext, changes: StreamChange[]): Promise<FanOutSummary> {
  const summary: FanOutSummary = {
    failedIds: [],
    delivery: { delivered: 0, pruned: 0, failed: 0, retries: 0 },
    latenciesMs: [],
  };
  const byConversation = new Map<string, { change: StreamChange; index: number }[]>();
  const storedInBatch = new Set<string>();
  changes.forEach((change, index) => {
    const message = change.kind === 'intent' ? change.intent.message : change.message;
    if (change.kind === 'new') storedInBatch.add(storedKeyOf(message));
    const queue = byConversation.get(message.conversationId) ?? [];
    queue.push({ change, index });
    byConversation.set(message.conversationId, queue);
  });
  let firstFailure = changes.length;
  await forEachBounded([...byConversation.values()], conversationsInParallel, async (queue) => {
    for (const { change, index } of queue) {
      try {
        if (change.kind === 'intent') {
          if (!storedInBatch.has(storedKeyOf(change.intent.message)))
            await completeIntent(ctx, change.intent);
          continue;
        }
        // The send told the unread index already, unless its function died first: again changes nothing.
        if (change.kind === 'new') await ctx.unread.advanced(change.message);
        const report = await deliverChange(ctx, change);
        for (const key of ['delivered', 'pruned', 'failed', 'retries'] as const)
          summary.delivery[key] += report[key];
        if (report.failed > 0) throw new Error(`${report.failed} deliveries failed after retries`);
        if (change.kind === 'new' && !change.deliveredOnSend)
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

const nothingPosted: DeliveryReport = { delivered: 0, pruned: 0, failed: 0, retries: 0 };

/**
 * A new message goes to the members it was sent to; an edit or deletion to the members now, so that nobody
 * removed since hears of it.
 */
async function membersVersionFor(ctx: ChatContext, change: MessageChange): Promise<number | undefined> {
  if (change.kind === 'new') return change.membersVersion;
  return (await ctx.conversations.get(change.message.conversationId))?.membersVersion;
}

async function deliverChange(ctx: ChatContext, change: MessageChange): Promise<DeliveryReport> {
  await noteMentions(ctx, change);
  if (change.deliveredOnSend && !change.moveInbox) return nothingPosted;
  const { conversationId, createdAt } = change.message;
  const membersVersion = await membersVersionFor(ctx, change);
  if (membersVersion === undefined) return nothingPosted;
  const members = await ctx.directory.members(conversationId, membersVersion);
  const memberIds = members.map((m) => m.userId);
  const sessions: Map<string, UserSessions> = change.deliveredOnSend
    ? new Map()
    : await ctx.notifier.sessionsOf(memberIds);
  const report = change.deliveredOnSend
    ? nothingPosted
    : await ctx.notifier.toConnections(
        connectionsOf(sessions, change.kind === 'new' ? change.senderConnectionId : undefined),
        eventFor(change),
      );
  // A message the send delivered had its push jobs queued by the send.
  if (change.kind === 'new' && !change.deliveredOnSend)
    await enqueuePushes(ctx, change.message, members, sessions);
  if (change.kind === 'new' && change.moveInbox) {
    // Moves each member's inbox entry to the top; conditional, so redelivery changes nothing.
    await forEachBounded(memberIds, 8, (userId) =>
      ctx.conversations.touchInbox({ conversationId, userId, lastActivityAt: createdAt }),
    );
  }
  return report;
}

/**
 * An intent whose message was not in the same batch: usually its send stores it a moment later (the send
 * delivers first). Looks once that moment has passed, cheaply (a found message is stored for sure), again with
 * backoff until the send's time is up, then stores the message itself, which the stream then delivers.
 */
async function completeIntent(ctx: ChatContext, intent: SendIntent): Promise<void> {
  const { conversationId, seq } = intent.message;
  const recordedAt = intent.completeBy - limits.sendCompletionMs;
  await sleep(Math.max(0, recordedAt + limits.usualSendStoreMs - ctx.clock()));
  for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1_000)) {
    if (await ctx.messages.get({ conversationId, seq, consistent: false })) return;
    const leftMs = intent.completeBy - ctx.clock();
    if (leftMs <= 0) break;
    await sleep(Math.min(pauseMs, leftMs));
  }
  if (await ctx.messages.get({ conversationId, seq })) return;
  const { message, completeBy: _completeBy, ...rest } = intent;
  await ctx.messages.store({ ...rest, message, delivery: 'stream', moveInbox: false });
}
