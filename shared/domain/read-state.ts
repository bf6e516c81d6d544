/** Read positions and unread counts, derived from each conversation's `lastSeq` (exact under redelivery). */
import type { ChatContext } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { unreadCount } from './model.ts';

export async function getUnread(ctx: ChatContext, userId: string) {
  const memberships = await ctx.conversations.allMemberships(userId);
  const conversations = await ctx.conversations.getMany(memberships.map((m) => m.conversationId));
  const counts = memberships.flatMap((membership) => {
    const conversation = conversations.get(membership.conversationId);
    const count = conversation ? unreadCount(conversation.lastSeq, membership.lastReadSeq) : 0;
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
  const moved = target > 0 && (await ctx.conversations.advanceRead({ conversationId, userId, seq: target }));
  const position = moved
    ? target
    : ((await ctx.conversations.getMember({ conversationId, userId }))?.lastReadSeq ?? me.lastReadSeq);
  const count = unreadCount(conversation.lastSeq, position);
  if (moved) {
    const others = members.map((m) => m.userId).filter((id) => id !== userId);
    const { total } = await getUnread(ctx, userId);
    await Promise.all([
      ctx.notifier.toUsers(others, { type: 'read', conversationId, userId, seq: target }),
      ctx.notifier.toUsers([userId], { type: 'unread', conversationId, count, total }),
    ]);
  }
  return { conversationId, seq: position, unreadCount: count };
}
