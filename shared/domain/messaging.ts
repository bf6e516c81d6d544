/** Use cases of messages: send (idempotent, gap-free seq), history, edit and soft delete. */

import { epochSeconds, sleep } from '../async.ts';
import { ChatError, conflict, notFound, rateLimited } from '../errors.ts';
import { requireAuthor } from './access.ts';
import { type ChatContext, isoNow } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { messageIdFor, seqOfMessageId } from './ids.ts';
import { limits } from './limits.ts';
import type { Message } from './model.ts';
import { messageBody } from './validate.ts';

export interface SendInput {
  userId: string;
  conversationId: string;
  clientMessageId: string;
  body: string;
  /** The socket it came from, when sent over the WebSocket. */
  connectionId?: string;
}

/** Concurrent senders in one conversation race for the next seq; the loser re-reads and tries the next one. */
const maxSeqAttempts = 60;

export async function sendMessage(
  ctx: ChatContext,
  input: SendInput,
): Promise<{ message: Message; created: boolean }> {
  const body = messageBody(input.body);
  const allowed = await ctx.rateLimits.take({
    userId: input.userId,
    bucket: 'send',
    perMinute: ctx.settings.sendRatePerMinute,
    nowMs: ctx.clock(),
  });
  if (!allowed) throw rateLimited('messages');
  for (let attempt = 0; attempt < maxSeqAttempts; attempt++) {
    const { conversation } = await ctx.access.member(input);
    const seq = conversation.lastSeq + 1;
    const createdAt = isoNow(ctx);
    const message: Message = {
      conversationId: input.conversationId,
      messageId: messageIdFor(seq, ctx.newId()),
      seq,
      senderId: input.userId,
      body,
      clientMessageId: input.clientMessageId,
      createdAt,
    };
    const retentionDays = ctx.settings.messageRetentionDays;
    const sinceIndexedMs = Date.parse(createdAt) - Date.parse(conversation.inboxIndexedAt);
    const outcome = await ctx.messages.append({
      message,
      expectedLastSeq: conversation.lastSeq,
      expectedMembersVersion: conversation.membersVersion,
      moveInbox: sinceIndexedMs >= limits.inboxIndexResolutionSeconds * 1000,
      ...(input.connectionId ? { senderConnectionId: input.connectionId } : {}),
      ...(retentionDays > 0 ? { expiresAt: epochSeconds(ctx.clock()) + retentionDays * 86_400 } : {}),
    });
    if (outcome.outcome === 'stored') return { message, created: true };
    if (outcome.outcome === 'duplicate') {
      const earlier = await ctx.messages.findBySendKey({
        conversationId: input.conversationId,
        senderId: input.userId,
        clientMessageId: input.clientMessageId,
      });
      if (earlier) return { message: earlier, created: false };
      // The earlier message expired by retention while its send key lived on: treat as a conflict.
      throw conflict('clientMessageId was used for a message that no longer exists');
    }
    // Short, slowly growing jitter: each round has one winner, so waiting long only idles the others.
    await sleep(Math.random() * Math.min(100, 10 * (attempt + 1)));
  }
  throw new ChatError(
    'conflict',
    409,
    'The conversation is too busy right now; retry with the same clientMessageId',
  );
}

export async function listMessages(
  ctx: ChatContext,
  request: MemberRequest & { limit: number; before?: number; after?: number },
) {
  const { userId, ...page } = request;
  await ctx.access.member(request);
  return ctx.messages.page(page);
}

/** A message of a conversation, named by the caller. */
export type MessageRequest = MemberRequest & { messageId: string };

/** Finds a message of a conversation by its id, as the author; anything else is not found or forbidden. */
async function authorsMessage(ctx: ChatContext, { userId, conversationId, messageId }: MessageRequest) {
  await ctx.access.member({ userId, conversationId });
  const seq = seqOfMessageId(messageId);
  const message = seq === undefined ? undefined : await ctx.messages.get({ conversationId, seq });
  if (!message || message.messageId !== messageId) throw notFound('message');
  requireAuthor(message.senderId, userId);
  if (message.deletedAt) throw conflict('The message was deleted');
  return message;
}

export async function editMessage(ctx: ChatContext, request: MessageRequest & { body: string }) {
  const body = messageBody(request.body);
  const message = await authorsMessage(ctx, request);
  const updated = await ctx.messages.update({
    conversationId: request.conversationId,
    seq: message.seq,
    authorId: request.userId,
    change: { body, editedAt: isoNow(ctx) },
  });
  if (!updated) throw conflict('The message was deleted');
  await ctx.messages.refreshLastMessage(updated);
  return updated;
}

export async function deleteMessage(ctx: ChatContext, request: MessageRequest) {
  const message = await authorsMessage(ctx, request);
  const updated = await ctx.messages.update({
    conversationId: request.conversationId,
    seq: message.seq,
    authorId: request.userId,
    change: { deletedAt: isoNow(ctx) },
  });
  if (updated) await ctx.messages.refreshLastMessage(updated);
}
