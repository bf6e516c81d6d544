/**
 * What a message carries beside its text (README "Rich messages"): the quote of the message it replies to, the
 * members it mentions, and, read back, its reactions.
 */
import { validationFailed } from '../errors.ts';
import type { ChatContext } from './context.ts';
import type { MessageChange } from './fan-out.ts';
import { seqOfMessageId } from './ids.ts';
import { limits } from './limits.ts';
import type { Member, Message, ReplyQuote } from './model.ts';

/** Characters as users see them: a preview never cuts an emoji or an accented letter in two. */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The message a reply quotes, as it is now (a deleted one has an empty body, so an empty preview). */
async function quoteFor(
  ctx: ChatContext,
  { conversationId, replyTo }: { conversationId: string; replyTo: string },
): Promise<ReplyQuote> {
  const seq = seqOfMessageId(replyTo);
  const quoted = seq === undefined ? undefined : await ctx.messages.get({ conversationId, seq });
  if (!quoted || quoted.messageId !== replyTo)
    throw validationFailed('replyTo', 'is not a message of this conversation');
  const { messageId, senderId, body } = quoted;
  const start = [...graphemes.segment(body)].slice(0, limits.replyPreviewChars);
  return { messageId, seq: quoted.seq, senderId, preview: start.map(({ segment }) => segment).join('') };
}

/** What a send stores beside its text: the quote of the message it answers, the members it mentions. */
export type RichFields = Pick<Message, 'replyTo' | 'mentions'>;

/**
 * A send's `replyTo` and `mentions` as stored, once the sender is known to be a member (an outsider learns
 * nothing of the messages): each mentioned user must be a member (the schema refused duplicates and too many);
 * the quote is read once (`quoted`, on a retry of the loop), and only for a reply.
 */
export async function replyAndMentions(
  ctx: ChatContext,
  send: {
    conversationId: string;
    replyTo?: string;
    mentions?: string[];
    members: Member[];
    quoted?: ReplyQuote;
  },
): Promise<RichFields> {
  const memberIds = new Set(send.members.map((member) => member.userId));
  const outsider = send.mentions?.find((userId) => !memberIds.has(userId));
  if (outsider !== undefined)
    throw validationFailed('mentions', `${outsider} is not a member of this conversation`);
  const { conversationId, replyTo } = send;
  const quote = send.quoted ?? (replyTo ? await quoteFor(ctx, { conversationId, replyTo }) : undefined);
  return {
    ...(quote ? { replyTo: quote } : {}),
    ...(send.mentions?.length ? { mentions: send.mentions } : {}),
  };
}

/**
 * Counts a new message's mentions for the inbox (`unreadMentions`), or forgets a deleted one's; from the stream
 * consumer, whichever delivered the message, so the send writes nothing more for them. Redelivery changes nothing.
 */
export async function noteMentions(ctx: ChatContext, change: Pick<MessageChange, 'kind' | 'message'>) {
  const { conversationId, seq, senderId, mentions } = change.message;
  const userIds = (mentions ?? []).filter((userId) => userId !== senderId);
  if (userIds.length === 0) return;
  if (change.kind === 'new') await ctx.mentions.mark({ conversationId, seq, userIds });
  if (change.kind === 'deleted') await ctx.mentions.unmark({ conversationId, seq, userIds });
}

const placeOf = (conversationId: string, seq: number) => `${conversationId}#${seq}`;

/**
 * Replies as read back (a page of history, the inbox's last messages): a quote of a message deleted since shows
 * an empty preview, so deleted text does not live on in its replies. The quoted messages not among `messages`
 * are read in one BatchGetItem, only when some quote has a preview.
 */
export async function withCurrentQuotes(ctx: ChatContext, messages: Message[]): Promise<Message[]> {
  const known = new Map(messages.map((message) => [placeOf(message.conversationId, message.seq), message]));
  const outside = messages.flatMap(({ conversationId, replyTo }) =>
    replyTo?.preview && !known.has(placeOf(conversationId, replyTo.seq))
      ? [{ conversationId, seq: replyTo.seq }]
      : [],
  );
  if (outside.length > 0)
    for (const quoted of await ctx.messages.getMany(outside))
      known.set(placeOf(quoted.conversationId, quoted.seq), quoted);
  return messages.map((message) => {
    const { conversationId, replyTo } = message;
    const deleted =
      replyTo?.preview && known.get(placeOf(conversationId, replyTo.seq))?.deletedAt !== undefined;
    return replyTo && deleted ? { ...message, replyTo: { ...replyTo, preview: '' } } : message;
  });
}

/** Messages as read back: each with its reactions when it has any (one Query of the page's seq range). */
export async function withReactions(
  ctx: ChatContext,
  conversationId: string,
  messages: Message[],
): Promise<Message[]> {
  if (messages.length === 0) return messages;
  const seqs = messages.map((message) => message.seq);
  const summaries = await ctx.reactions.summaries({
    conversationId,
    fromSeq: Math.min(...seqs),
    toSeq: Math.max(...seqs),
    maxRecent: limits.maxRecentReactors,
  });
  return messages.map((message) => {
    const reactions = summaries.get(message.seq);
    return reactions ? { ...message, reactions } : message;
  });
}
