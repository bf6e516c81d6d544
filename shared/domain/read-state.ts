/** Read positions and unread counts, derived from each conversation's `lastSeq` (exact under redelivery). */
import type { ChatContext } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { hasEngaged, readPosition, unreadCount } from './model.ts';
import { revealPresence } from './presence.ts';

/**
 * Every conversation's unread count: the user's memberships (a query of the inbox index) and each conversation's
 * `lastSeq` and the user's own last seq in it (parallel BatchGetItems reading nothing else); a send writes nothing
 * for it.
 */
export async function getUnread(ctx: ChatContext, userId: string) {
  const memberships = await ctx.conversations.allMemberships(userId);
  const positions = await ctx.conversations.seqPositions(
    memberships.map((m) => m.conversationId),
    userId,
  );
  const counts = memberships.flatMap((membership) => {
    const position = positions.get(membership.conversationId);
    // As `readPosition`: read up to the later of the marked position and the user's own last message.
    const count = position
      ? unreadCount(position.lastSeq, Math.max(membership.lastReadSeq, position.ownSeq))
      : 0;
    return count > 0 ? [{ conversationId: membership.conversationId, count }] : [];
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
