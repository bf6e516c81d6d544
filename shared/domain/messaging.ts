/** Use cases of messages: send (idempotent, strictly increasing seq), history, edit and soft delete. */

import { epochSeconds, lookUntilFound } from '../async.ts';
import { ChatError, conflict, contentRejected, forbidden, notFound, notMember } from '../errors.ts';
import { requireAuthor } from './access.ts';
import { claimAttachments, discardAttachments, releaseAttachments } from './attachments.ts';
import { type ChatContext, isoNow } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { deliverOnSend } from './fan-out.ts';
import { messageIdFor, seqOfMessageId } from './ids.ts';
import { limits } from './limits.ts';
import {
  hasEngaged,
  type Member,
  type Message,
  type MessageAttachment,
  type StoredConversation,
} from './model.ts';
import type { SendIntent } from './ports.ts';
import { revealPresence } from './presence.ts';
import { type RichFields, replyAndMentions, withCurrentQuotes, withReactions } from './rich-messages.ts';
import { messageBody } from './validate.ts';

export interface SendInput {
  userId: string;
  conversationId: string;
  clientMessageId: string;
  body: string;
  /** Uploads of the sender to this conversation that the message carries (checked and claimed first). */
  attachmentIds?: string[];
  /** The message of this conversation it answers, and the members it mentions (see `replyAndMentions`). */
  replyTo?: string;
  mentions?: string[];
  /** The socket it came from, when sent over the WebSocket. */
  connectionId?: string;
  /**
   * Told the message as soon as its intent is recorded (from then on it is stored even if this function dies),
   * before it is delivered: a sender's ack need not wait for the deliveries.
   */
  onAccepted?: (message: Message) => Promise<void>;
}

/** A send retried this often when the members changed between its read and its seq reservation. */
const maxMembershipAttempts = 5;

/**
 * Sends a message: reserves the next seq, records the intent (the idempotency record, with the whole message),
 * delivers it (small conversations) and stores it. The stream consumer completes a send whose function died after
 * its intent, and delivers what the send did not. A seq stays empty (a hole) only when the function dies between
 * reserving and recording, or when two tries of one send race and another send's reservation falls between
 * theirs: otherwise the reservation refuses the later try, which then answers the first try's message.
 */
export async function sendMessage(
  ctx: ChatContext,
  input: SendInput,
): Promise<{ message: Message; created: boolean }> {
  const attachmentIds = input.attachmentIds ?? [];
  const body = messageBody(input.body, { mayBeEmpty: attachmentIds.length > 0 });
  const { conversationId, userId: senderId, clientMessageId } = input;
  const sendKey = { conversationId, senderId, clientMessageId };
  // A retry comes seconds after its first try, when even an eventually consistent read sees the intent.
  const earlier = await ctx.messages.findIntent({ ...sendKey, consistent: false });
  if (earlier) return { message: await completeEarlierSend(ctx, earlier), created: false };
  // The content filter reviews the text while the membership is read (Comprehend takes a while); its verdict
  // is awaited before the first write. Marked handled now: when the membership check throws, nobody awaits it.
  const review = body === '' ? Promise.resolve({ allowed: true }) : ctx.contentFilter.review(body);
  review.catch(() => undefined);
  let attachments: MessageAttachment[] | undefined;
  let rich: RichFields | undefined;
  let sameSendAgain = false;
  for (let attempt = 0; attempt < maxMembershipAttempts; attempt++) {
    const { conversation, members, me } = await ctx.access.memberToSend(input);
    rich = await replyAndMentions(ctx, { ...input, members, quoted: rich?.replyTo });
    if (!(await review).allowed) throw contentRejected();
    // Before the seq is taken, so a refused attachment leaves no hole.
    attachments ??= await claimAttachments(ctx, { conversationId, senderId, clientMessageId, attachmentIds });
    const createdAt = isoNow(ctx);
    const unique = ctx.newId();
    const reservation = await ctx.messages.reserveSeq({
      conversationId,
      senderId,
      membersVersion: conversation.membersVersion,
      draft: {
        conversationId,
        senderId,
        body,
        clientMessageId,
        createdAt,
        unique,
        ...(attachments.length > 0 ? { attachments } : {}),
        ...rich,
      },
      marksSenderRead: conversation.type === 'direct',
      sameSendAgain,
    });
    if (reservation.outcome === 'racing') {
      // The other try reserved a moment ago and records its intent within milliseconds.
      const first = await lookUntilFound(() => ctx.messages.findIntent({ ...sendKey, consistent: true }));
      if (first) return { message: await completeEarlierSend(ctx, first, { racing: true }), created: false };
      // The first try died between its reservation and its intent: its seq stays empty, this one takes the next.
      sameSendAgain = true;
      continue;
    }
    if (reservation.outcome === 'membership-changed') {
      ctx.access.forget(conversationId);
      continue;
    }
    if (reservation.outcome === 'blocked')
      return refuseClaimed(
        ctx,
        { ...sendKey, attachments },
        forbidden('You cannot send messages to this conversation'),
      );
    if (reservation.outcome === 'gone') return refuseClaimed(ctx, { ...sendKey, attachments }, notMember());
    ctx.access.remember(reservation.conversation);
    const { seq } = reservation;
    // Before anyone is told of the message: whoever it reaches counts it. A direct sender's own position first
    // (the reservation recorded both at once), so they never count their own message.
    if (conversation.type === 'direct') await ctx.unread.readTo({ conversationId, userId: senderId, seq });
    await ctx.unread.advanced({ conversationId, seq });
    const message: Message = {
      conversationId,
      messageId: messageIdFor(seq, unique),
      seq,
      senderId,
      body,
      clientMessageId,
      createdAt,
      ...(attachments.length > 0 ? { attachments } : {}),
      ...rich,
    };
    const retentionDays = ctx.settings.messageRetentionDays;
    const intent: SendIntent = {
      message,
      membersVersion: conversation.membersVersion,
      ...(input.connectionId ? { senderConnectionId: input.connectionId } : {}),
      completeBy: ctx.clock() + limits.sendCompletionMs,
      ...(retentionDays > 0 ? { expiresAt: epochSeconds(ctx.clock()) + retentionDays * 86_400 } : {}),
    };
    if ((await ctx.messages.recordIntent(intent)) === 'duplicate') {
      const first = await ctx.messages.findIntent({ ...sendKey, consistent: true });
      if (!first) throw conflict('clientMessageId was used for a message that no longer exists');
      return { message: await completeEarlierSend(ctx, first, { racing: true }), created: false };
    }
    const accepted = Promise.resolve(input.onAccepted?.(message));
    // Awaited below; marked handled now so a failing completeSend cannot leave it rejected and unobserved.
    accepted.catch(() => undefined);
    const groupReadBefore = await completeSend(ctx, intent, {
      members,
      conversation: reservation.conversation,
    });
    await accepted;
    // A first message engages its sender: the other members may see their presence from now on. (A group's
    // member list is cached: the read position the send just moved says whether it was the first.)
    const readBefore = conversation.type === 'group' ? (groupReadBefore ?? seq) : me.lastReadSeq;
    if (!hasEngaged(conversation, { userId: senderId, lastReadSeq: readBefore }))
      await revealPresence(ctx, { userId: senderId, members });
    return { message, created: true };
  }
  return refuseClaimed(
    ctx,
    { ...sendKey, attachments: attachments ?? [] },
    new ChatError(
      'conflict',
      409,
      'The members of the conversation are changing; retry with the same clientMessageId',
    ),
  );
}

/** A send refused once it had claimed its attachments gives them back first (none are held by a refusal). */
async function refuseClaimed(
  ctx: ChatContext,
  send: { conversationId: string; clientMessageId: string; attachments: MessageAttachment[] },
  refusal: ChatError,
): Promise<never> {
  await releaseAttachments(ctx, send);
  throw refusal;
}

/**
 * Delivers (when the conversation is small) and stores a recorded send, and moves a group sender's read
 * position: answers where that was (undefined: not moved, or a direct conversation).
 */
async function completeSend(
  ctx: ChatContext,
  intent: SendIntent,
  { members, conversation }: { members: Member[]; conversation: StoredConversation },
): Promise<number | undefined> {
  const { message, completeBy: _completeBy, ...rest } = intent;
  const { conversationId, createdAt, senderId, seq } = message;
  const sinceIndexedMs = Date.parse(createdAt) - Date.parse(conversation.inboxIndexedAt);
  const moveInbox =
    sinceIndexedMs >= limits.inboxIndexResolutionSeconds * 1000 &&
    (await ctx.messages.moveInboxMark({ conversationId, from: conversation.inboxIndexedAt, to: createdAt }));
  const delivered = ctx.clock() < intent.completeBy && (await deliverOnSend(ctx, intent, members));
  await ctx.messages.store({ ...rest, message, delivery: delivered ? 'direct' : 'stream', moveInbox });
  // A direct conversation's reservation recorded the sender's position already (`sentSeqs`).
  if (conversation.type === 'direct') return undefined;
  const readBefore = await ctx.conversations.advanceRead({ conversationId, userId: senderId, seq });
  await ctx.unread.readTo({ conversationId, userId: senderId, seq });
  return readBefore;
}

/**
 * A retried send answers what its first try stored. If that try died after its intent (or is still on its
 * way), the message is stored now from the intent, and the stream delivers it; clients drop a second copy.
 * A retry `racing` its first try (still on its way for sure) waits a moment for that try's own store first, so
 * that the members are not told twice.
 */
async function completeEarlierSend(
  ctx: ChatContext,
  intent: SendIntent,
  { racing = false } = {},
): Promise<Message> {
  const { message, completeBy: _completeBy, ...rest } = intent;
  const place = { conversationId: message.conversationId, seq: message.seq };
  const stored = racing ? await lookUntilFound(() => ctx.messages.get(place)) : await ctx.messages.get(place);
  if (stored) return stored;
  // DynamoDB's TTL removes lazily: an intent outliving its expired message must not bring it back.
  if (intent.expiresAt !== undefined && intent.expiresAt <= epochSeconds(ctx.clock()))
    throw conflict('clientMessageId was used for a message that no longer exists');
  await ctx.messages.store({ ...rest, message, delivery: 'stream', moveInbox: false });
  return (await ctx.messages.get(place)) ?? message;
}

export async function listMessages(
  ctx: ChatContext,
  request: MemberRequest & { limit: number; before?: number; after?: number },
) {
  const { userId, ...page } = request;
  await ctx.access.member(request);
  const { items, hasMore } = await ctx.messages.page(page);
  const quoting = await withCurrentQuotes(ctx, items);
  return { items: await withReactions(ctx, request.conversationId, quoting), hasMore };
}

/** A message of a conversation, named by the caller. */
export type MessageRequest = MemberRequest & { messageId: string };

/** A message of a conversation by its id; not found when the id names no message of it. */
export async function findMessage(
  ctx: ChatContext,
  { conversationId, messageId }: { conversationId: string; messageId: string },
): Promise<Message> {
  const seq = seqOfMessageId(messageId);
  const message = seq === undefined ? undefined : await ctx.messages.get({ conversationId, seq });
  if (!message || message.messageId !== messageId) throw notFound('message');
  return message;
}

/** Finds a message of a conversation by its id, as the author; anything else is not found or forbidden. */
async function authorsMessage(ctx: ChatContext, { userId, conversationId, messageId }: MessageRequest) {
  await ctx.access.member({ userId, conversationId });
  const message = await findMessage(ctx, { conversationId, messageId });
  requireAuthor(message.senderId, userId);
  if (message.deletedAt) throw conflict('The message was deleted');
  return message;
}

export async function editMessage(ctx: ChatContext, request: MessageRequest & { body: string }) {
  const body = messageBody(request.body);
  const message = await authorsMessage(ctx, request);
  // An edit is reviewed like a send: it must not bring in what the filter would have refused.
  if (!(await ctx.contentFilter.review(body)).allowed) throw contentRejected();
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
  if (updated)
    await Promise.all([ctx.messages.refreshLastMessage(updated), discardAttachments(ctx, message)]);
}
