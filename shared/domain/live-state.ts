/** Use cases of live state: connections and presence, typing, read positions and unread counts. */
import { rateLimited } from '../errors.ts';
import { authorize } from './access.ts';
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';
import { type PresenceStatus, unreadCount } from './model.ts';

/**
 * The users who hear a user's presence changes: members of the user's most recently active conversations,
 * bounded by `limits.presenceConversations` and `limits.maxPresenceRecipients`.
 */
export async function contactsOf(ctx: ChatContext, userId: string): Promise<string[]> {
  const { memberships } = await ctx.conversations.inboxPage(userId, limits.presenceConversations);
  const conversations = await ctx.conversations.getMany(memberships.map((m) => m.conversationId));
  const contacts = new Set<string>();
  for (const conversation of conversations.values()) {
    const members = await ctx.directory.members(conversation.conversationId, conversation.membersVersion);
    for (const member of members) {
      if (contacts.size >= limits.maxPresenceRecipients) break;
      if (member.userId !== userId) contacts.add(member.userId);
    }
  }
  return [...contacts];
}

async function announcePresence(ctx: ChatContext, userId: string, status: 'online' | 'offline') {
  const contacts = await contactsOf(ctx, userId);
  await ctx.notifier.toUsers(contacts, { type: 'presence', userId, status, lastSeenAt: isoNow(ctx) });
}

const connectionExpiry = (ctx: ChatContext) => ctx.clock() + ctx.settings.presenceTtlSeconds * 1000;

export async function connect(ctx: ChatContext, userId: string, connectionId: string): Promise<void> {
  const { wasOnline } = await ctx.presence.putConnection(
    userId,
    connectionId,
    connectionExpiry(ctx),
    ctx.clock(),
  );
  if (!wasOnline) await announcePresence(ctx, userId, 'online');
}

export async function disconnect(ctx: ChatContext, userId: string, connectionId: string): Promise<void> {
  const { stillOnline } = await ctx.presence.removeConnection(userId, connectionId, ctx.clock());
  if (!stillOnline) await announcePresence(ctx, userId, 'offline');
}

/**
 * Keeps the connection's record fresh with one write; a user whose presence had expired (heartbeats missed)
 * comes back online. Answers `pong`, with the interval the server wants, only when the client asks for it:
 * every frame pushed to a socket is billed.
 */
export async function heartbeat(
  ctx: ChatContext,
  { userId, connectionId, reply }: { userId: string; connectionId: string; reply: boolean },
): Promise<void> {
  const { wasOnline } = await ctx.presence.putConnection(
    userId,
    connectionId,
    connectionExpiry(ctx),
    ctx.clock(),
  );
  if (!wasOnline) await announcePresence(ctx, userId, 'online');
  if (reply) {
    await ctx.notifier.toConnection(userId, connectionId, {
      type: 'pong',
      at: isoNow(ctx),
      heartbeatIntervalSeconds: ctx.settings.heartbeatIntervalSeconds,
    });
  }
}

export async function signalTyping(
  ctx: ChatContext,
  userId: string,
  conversationId: string,
  isTyping: boolean,
) {
  const now = ctx.clock();
  if (!(await ctx.ephemeral.takeRateToken(userId, 'typing', ctx.settings.typingRatePerMinute, now))) {
    throw rateLimited('typing signals');
  }
  const { members } = await authorize(ctx.conversations, ctx.directory, conversationId, userId);
  const expiresAtMs = now + ctx.settings.typingTtlSeconds * 1000;
  const broadcast = isTyping
    ? await ctx.ephemeral.startTyping(
        conversationId,
        userId,
        now,
        expiresAtMs,
        ctx.settings.typingCoalesceSeconds * 1000,
      )
    : await ctx.ephemeral.stopTyping(conversationId, userId, now);
  if (!broadcast) return;
  const others = members.map((m) => m.userId).filter((id) => id !== userId);
  await ctx.notifier.toUsers(others, {
    type: 'typing',
    conversationId,
    userId,
    isTyping,
    expiresAt: new Date(isTyping ? expiresAtMs : now).toISOString(),
  });
}

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
export async function markRead(ctx: ChatContext, userId: string, conversationId: string, seq: number) {
  const { conversation, members, me } = await authorize(
    ctx.conversations,
    ctx.directory,
    conversationId,
    userId,
  );
  const target = Math.min(seq, conversation.lastSeq);
  const moved = target > 0 && (await ctx.conversations.advanceRead(conversationId, userId, target));
  const position = moved
    ? target
    : ((await ctx.conversations.getMember(conversationId, userId))?.lastReadSeq ?? me.lastReadSeq);
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

/**
 * The ones of `candidates` who share one of the user's most recently active conversations with them, found by
 * walking those conversations, most recent first, and their member lists (cached per members version) until
 * every candidate is found.
 */
async function sharingAConversationWith(
  ctx: ChatContext,
  userId: string,
  candidates: string[],
): Promise<Set<string>> {
  const missing = new Set(candidates.filter((candidate) => candidate !== userId));
  const sharing = new Set([userId]);
  if (missing.size === 0) return sharing;
  const { memberships } = await ctx.conversations.inboxPage(userId, limits.presenceVisibilityConversations);
  // Most asked users share a recent conversation, so the search reads ten conversations at a time and stops.
  const chunk = 10;
  for (let start = 0; start < memberships.length && missing.size > 0; start += chunk) {
    const ids = memberships.slice(start, start + chunk).map((m) => m.conversationId);
    const conversations = [...(await ctx.conversations.getMany(ids)).values()];
    const memberLists = await Promise.all(
      conversations.map((c) => ctx.directory.members(c.conversationId, c.membersVersion)),
    );
    for (const member of memberLists.flat()) {
      if (missing.delete(member.userId)) sharing.add(member.userId);
    }
  }
  return sharing;
}

/**
 * Presence of the asked users as `userId` may see it: someone who shares none of `userId`'s recent conversations
 * is answered exactly like a user never seen (offline, no `lastSeenAt`), so presence never reaches strangers.
 */
export async function getPresence(
  ctx: ChatContext,
  userId: string,
  userIds: string[],
): Promise<{ users: PresenceStatus[] }> {
  const visible = await sharingAConversationWith(ctx, userId, userIds);
  const sessions = await ctx.notifier.sessionsOf(userIds.filter((id) => visible.has(id)));
  return {
    users: userIds.map((asked) => {
      const session = sessions.get(asked);
      return {
        userId: asked,
        status: session?.online ? 'online' : 'offline',
        lastSeenAt: session?.lastSeenAt ?? null,
      };
    }),
  };
}
