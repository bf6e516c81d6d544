/**
 * Reactions to messages (README "Rich messages"): added and removed per user and emoji, idempotently; each change
 * counts in the message's summary and reaches every member's connections as `message.reactions` straight from
 * the request (no stream: the event carries the whole summary after the change, so a lost or late one is made
 * good by the next, and history reads the summaries).
 */
import { epochSeconds } from '../async.ts';
import { conflict, forbidden, validationFailed } from '../errors.ts';
import type { Authorized } from './access.ts';
import { type ChatContext, isoNow } from './context.ts';
import { reactionEmoji } from './emoji.ts';
import { limits } from './limits.ts';
import { findMessage, type MessageRequest } from './messaging.ts';
import type { Message, ReactionCount } from './model.ts';
import type { Reaction } from './rich-ports.ts';

export type ReactionRequest = MessageRequest & { emoji: string };

/** As for sending: in a direct conversation, a user the other member blocks cannot react either. */
async function refuseBlockedReactor(ctx: ChatContext, { conversation, members }: Authorized, userId: string) {
  if (conversation.type !== 'direct') return;
  const other = members.find((member) => member.userId !== userId);
  if (!other) return;
  const { blockedBy } = await ctx.blocks.relationsOf(userId);
  if (blockedBy.has(other.userId)) throw forbidden('You cannot react in this conversation');
}

/** The reacted message of a member's request, and the member's standing. */
async function reactedMessage(ctx: ChatContext, request: ReactionRequest) {
  const emoji = reactionEmoji(request.emoji);
  // Read while membership is checked, and answered only after it (an outsider learns nothing of the message).
  const reading = findMessage(ctx, request);
  reading.catch(() => undefined);
  const authorized = await ctx.access.member(request);
  const message = await reading;
  const reaction: Reaction = {
    conversationId: request.conversationId,
    seq: message.seq,
    emoji,
    userId: request.userId,
  };
  return { authorized, message, reaction };
}

/** The reaction is kept as long as its message (the message's retention, from when it was sent). */
function expiryOf(ctx: ChatContext, message: Message): number | undefined {
  const days = ctx.settings.messageRetentionDays;
  return days > 0 ? epochSeconds(Date.parse(message.createdAt)) + days * 86_400 : undefined;
}

/** Adds the user's reaction with the emoji; again changes nothing and tells nobody. */
export async function addReaction(ctx: ChatContext, request: ReactionRequest): Promise<void> {
  const { authorized, message, reaction } = await reactedMessage(ctx, request);
  await refuseBlockedReactor(ctx, authorized, request.userId);
  if (message.deletedAt) throw conflict('The message was deleted');
  const expiresAt = expiryOf(ctx, message);
  const expiry = expiresAt === undefined ? {} : { expiresAt };
  if (!(await ctx.reactions.put({ ...reaction, at: isoNow(ctx), ...expiry }))) return;
  // Counted after the put, which names this reaction: two of one user's at once may both be refused at the limit.
  if ((await ctx.reactions.countOfUser(reaction)) > limits.maxReactionsPerUserPerMessage) {
    await ctx.reactions.delete(reaction);
    throw validationFailed(
      'emoji',
      `at most ${limits.maxReactionsPerUserPerMessage} reactions of yours on one message`,
    );
  }
  const reactions = await ctx.reactions.count({
    ...reaction,
    delta: 1,
    maxEmoji: limits.maxReactionEmojiPerMessage,
    maxRecent: limits.maxRecentReactors,
    ...expiry,
  });
  if (reactions === 'emoji-limit') {
    await ctx.reactions.delete(reaction);
    throw validationFailed(
      'emoji',
      `a message takes at most ${limits.maxReactionEmojiPerMessage} different emoji`,
    );
  }
  await announce(ctx, authorized, message, reactions);
}

/** Removes the user's reaction with the emoji; none is a no-op. */
export async function removeReaction(ctx: ChatContext, request: ReactionRequest): Promise<void> {
  const { authorized, message, reaction } = await reactedMessage(ctx, request);
  if (!(await ctx.reactions.delete(reaction))) return;
  const reactions = await ctx.reactions.count({
    ...reaction,
    delta: -1,
    maxEmoji: limits.maxReactionEmojiPerMessage,
    maxRecent: limits.maxRecentReactors,
  });
  if (reactions !== 'emoji-limit') await announce(ctx, authorized, message, reactions);
}

async function announce(
  ctx: ChatContext,
  { members }: Authorized,
  { conversationId, messageId, seq }: Message,
  reactions: ReactionCount[],
): Promise<void> {
  await ctx.notifier.toUsers(
    members.map((member) => member.userId),
    { type: 'message.reactions', conversationId, messageId, seq, reactions },
  );
}
