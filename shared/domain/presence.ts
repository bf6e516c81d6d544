/** Use cases of connections and presence: connect, disconnect, heartbeat, who hears and who may read it. */
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';
import type { PresenceStatus } from './model.ts';

/**
 * The users who hear a user's presence changes: members of the user's most recently active conversations,
 * bounded by `limits.presenceConversations` and `limits.maxPresenceRecipients`.
 */
async function contactsOf(ctx: ChatContext, userId: string): Promise<string[]> {
  const { memberships } = await ctx.conversations.inboxPage({ userId, limit: limits.presenceConversations });
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

/** A user's connection, as `$connect`, `$disconnect` and every frame know it. */
export interface ConnectionRef {
  userId: string;
  connectionId: string;
}

/** Records the connection (or renews it); a user who was offline comes online for their contacts. */
export async function connect(ctx: ChatContext, { userId, connectionId }: ConnectionRef): Promise<void> {
  const { wasOnline } = await ctx.sessions.putConnection({
    userId,
    connectionId,
    expiresAtMs: ctx.clock() + ctx.settings.presenceTtlSeconds * 1000,
    nowMs: ctx.clock(),
  });
  if (!wasOnline) await announcePresence(ctx, userId, 'online');
}

export async function disconnect(ctx: ChatContext, { userId, connectionId }: ConnectionRef): Promise<void> {
  const { stillOnline } = await ctx.sessions.removeConnection({ userId, connectionId, nowMs: ctx.clock() });
  if (!stillOnline) await announcePresence(ctx, userId, 'offline');
}

/**
 * A heartbeat renews the connection as a connect does (one write; a user whose presence had expired comes back
 * online). It answers `pong`, with the interval the server wants, only when the client asks: every frame pushed
 * to a socket is billed.
 */
export async function heartbeat(
  ctx: ChatContext,
  { reply, ...connection }: ConnectionRef & { reply: boolean },
) {
  await connect(ctx, connection);
  if (reply) {
    await ctx.notifier.toConnection(connection, {
      type: 'pong',
      at: isoNow(ctx),
      heartbeatIntervalSeconds: ctx.settings.heartbeatIntervalSeconds,
    });
  }
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
  const { memberships } = await ctx.conversations.inboxPage({
    userId,
    limit: limits.presenceVisibilityConversations,
  });
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
  { userId, userIds }: { userId: string; userIds: string[] },
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
