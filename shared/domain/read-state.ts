/** Read positions and unread counts, derived from each conversation's `lastSeq` (exact under redelivery). */
import type { ChatContext } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { hasEngaged, readPosition, unreadCount } from './model.ts';
import { revealPresence } from './presence.ts';

/**
 * Every conversation's unread count, from the user's read positions (`UnreadIndex`): read from DynamoDB's
 * memberships and `lastSeq`s, or from their Valkey cache.
 */
export async function getUnread(ctx: ChatContext, userId: string) {
  const counts = (await ctx.unread.positions(userId)).flatMap(({ conversationId, lastSeq, readSeq }) => {
    const count = unreadCount(lastSeq, readSeq);
    return count > 0 ? [{ conversationId, count }] : [];
  });
  return { total: counts.reduce((sum, c) => sum + c.count, 0), conversations: counts };
}

/**
 * Moves the reader's position forward to `seq`, clamped to the last message (a later seq marks all read).
 * An older seq changes nothing. Other members get `read`; the reader's own devices get `unread`.
 */
export async function markRead(ctx: ChatContext, request: MemberRequest & { seq: number }) {
  const { userId, conversationId, seq } = request;
  const { conversation, members, me } = await ctx.access.member({ conversationId, userId });
  const target = Math.min(seq, conversation.lastSeq);
  const readBefore =
    target > 0 ? await ctx.conversations.advanceRead({ conversationId, userId, seq: target }) : undefined;
  const moved = readBefore !== undefined;
  const position = moved
    ? target
    : ((await ctx.conversations.getMember({ conversationId, userId }))?.lastReadSeq ?? me.lastReadSeq);
  const read = readPosition(conversation, { userId, lastReadSeq: position });
  const count = unreadCount(conversation.lastSeq, read);
  // Told even when it did not move (the position read back is DynamoDB's): a retry repairs a cache that missed it.
  await ctx.unread.readTo({ conversationId, userId, seq: position });
  if (moved) {
    const others = members.map((m) => m.userId).filter((id) => id !== userId);
    const { total } = await getUnread(ctx, userId);
    await Promise.all([
      ctx.notifier.toUsers(others, { type: 'read', conversationId, userId, seq: target }),
      ctx.notifier.toUsers([userId], { type: 'unread', conversationId, count, total }),
      // A first read engages the reader: the others may see their presence from now on.
      hasEngaged(conversation, { userId, lastReadSeq: readBefore })
        ? undefined
        : revealPresence(ctx, { userId, members }),
    ]);
  }
  return { conversationId, seq: read, unreadCount: count };
}
