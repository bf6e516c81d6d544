/** Use cases of connections and presence: connect, disconnect, heartbeat, who hears and who may read it. */
import { blockedEitherWay } from './blocks.ts';
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';
import { hasEngaged, type Member, type PresenceStatus, type StoredConversation } from './model.ts';

/**
 * The users who hear a user's presence changes: members of the user's most recently active conversations that
 * the user engaged with (`hasEngaged`), bounded by `limits.presenceConversations` and
 * `limits.maxPresenceRecipients`, without anyone in a block with the user.
 */
async function contactsOf(ctx: ChatContext, userId: string): Promise<string[]> {
  const [{ memberships }, blocked] = await Promise.all([
    ctx.conversations.inboxPage({ userId, limit: limits.presenceConversations }),
    blockedEitherWay(ctx, userId),
  ]);
  const conversations = await ctx.conversations.getMany(memberships.map((m) => m.conversationId));
  const contacts = new Set<string>();
  for (const membership of memberships) {
    const conversation = conversations.get(membership.conversationId);
    if (!conversation || !hasEngaged(conversation, membership)) continue;
    const members = await ctx.directory.members(conversation.conversationId, conversation.membersVersion);
    for (const member of members) {
      if (contacts.size >= limits.maxPresenceRecipients) break;
      if (member.userId !== userId && !blocked.has(member.userId)) contacts.add(member.userId);
    }
  }
  return [...contacts];
}

/**
 * Tells the user's contacts of a presence change, at most `presenceChangeRatePerMinute` times a minute, so a
 * user toggling connections cannot flood them; changes past it are recorded (`GET /presence`) but not pushed.
 */
async function announcePresence(ctx: ChatContext, userId: string, status: 'online' | 'offline') {
  const perMinute = ctx.settings.presenceChangeRatePerMinute;
  const decision = await ctx.rateLimits.take({
    userId,
    bucket: 'presenceChange',
    perMinute,
    nowMs: ctx.clock(),
  });
  if (decision !== 'taken') return;
  const contacts = await contactsOf(ctx, userId);
  await ctx.notifier.toUsers(contacts, { type: 'presence', userId, status, lastSeenAt: isoNow(ctx) });
}

/**
 * A user's first read or send in a conversation they did not create makes their presence visible to its other
 * members (`hasEngaged`), so those are told it at once rather than at the user's next online ↔ offline change
 * (nobody in a block with the user). The send path calls it too, on a sender's first message.
 */
export async function revealPresence(
  ctx: ChatContext,
  { userId, members }: { userId: string; members: Pick<Member, 'userId'>[] },
): Promise<void> {
  const [sessions, blocked] = await Promise.all([
    ctx.notifier.sessionsOf([userId]),
    blockedEitherWay(ctx, userId),
  ]);
  const session = sessions.get(userId);
  const audience = members.map((m) => m.userId).filter((id) => id !== userId && !blocked.has(id));
  await ctx.notifier.toUsers(audience, {
    type: 'presence',
    userId,
    status: session?.online ? 'online' : 'offline',
    lastSeenAt: session?.lastSeenAt ?? null,
  });
}

/** A user's connection, as `$connect`, `$disconnect` and every frame know it. */
export interface ConnectionRef {
  userId: string;
  connectionId: string;
}

const displacedNotice = {
  type: 'error',
  code: 'rate_limited',
  message: 'Too many connections: this one, the least recently renewed, was closed',
} as const;

/**
 * Tells a connection displaced by a newer one past `maxConnectionsPerUser` why, and closes it. Best effort: it is
 * already forgotten, so nothing reaches it any more, and a failure here must not refuse the new connection.
 */
async function closeDisplaced(ctx: ChatContext, connection: ConnectionRef): Promise<void> {
  await ctx.notifier.toConnection(connection, displacedNotice);
  await ctx.connectionCloser.close(connection.connectionId);
}

/**
 * Records the connection (or renews it), closing the user's least recently renewed ones past the cap; a user who
 * was offline comes online for their contacts.
 */
export async function connect(ctx: ChatContext, { userId, connectionId }: ConnectionRef): Promise<void> {
  const { wasOnline, displaced } = await ctx.sessions.putConnection({
    userId,
    connectionId,
    expiresAtMs: ctx.clock() + ctx.settings.presenceTtlSeconds * 1000,
    nowMs: ctx.clock(),
    maxConnections: ctx.settings.maxConnectionsPerUser,
  });
  await Promise.allSettled(displaced.map((connection) => closeDisplaced(ctx, connection)));
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
 * The ones of `candidates` whose presence `viewerId` may see: those who engaged with (`hasEngaged`) one of the
 * viewer's most recently active conversations, found by walking those conversations, most recent first, and
 * their member lists (cached per members version) until every candidate is found. A cached member may lag
 * behind their read position, so candidates left over are read fresh in the conversations they share with
 * the viewer (one BatchGetItem of the most recent `freshReadPairs`). Blocks either way hide presence.
 */
async function visibleTo(ctx: ChatContext, viewerId: string, candidates: string[]): Promise<Set<string>> {
  const visible = new Set([viewerId]);
  const blocked = await blockedEitherWay(ctx, viewerId);
  const missing = new Set(candidates.filter((id) => id !== viewerId && !blocked.has(id)));
  if (missing.size === 0) return visible;
  const { memberships } = await ctx.conversations.inboxPage({
    userId: viewerId,
    limit: limits.presenceVisibilityConversations,
  });
  const unsure: { conversationId: string; userId: string }[] = [];
  const read = new Map<string, StoredConversation>();
  // Most asked users share a recent conversation, so the search reads ten conversations at a time and stops.
  const chunk = 10;
  for (let start = 0; start < memberships.length && missing.size > 0; start += chunk) {
    const ids = memberships.slice(start, start + chunk).map((m) => m.conversationId);
    const conversations = [...(await ctx.conversations.getMany(ids)).values()];
    const memberLists = await Promise.all(
      conversations.map((c) => ctx.directory.members(c.conversationId, c.membersVersion)),
    );
    conversations.forEach((conversation, index) => {
      read.set(conversation.conversationId, conversation);
      for (const member of memberLists[index] ?? []) {
        if (!missing.has(member.userId)) continue;
        if (hasEngaged(conversation, member)) {
          missing.delete(member.userId);
          visible.add(member.userId);
        } else {
          unsure.push({ conversationId: conversation.conversationId, userId: member.userId });
        }
      }
    });
  }
  const recheck = unsure.filter((pair) => missing.has(pair.userId)).slice(0, freshReadPairs);
  if (recheck.length === 0) return visible;
  for (const membership of await ctx.conversations.getMemberships(recheck)) {
    const conversation = read.get(membership.conversationId);
    if (conversation && hasEngaged(conversation, membership)) visible.add(membership.userId);
  }
  return visible;
}

/** Memberships read fresh per presence query, at most: one BatchGetItem. */
const freshReadPairs = 100;

/**
 * Presence of the asked users as `userId` may see it: someone who engaged with none of `userId`'s recent
 * conversations, or is in a block with `userId`, is answered exactly like a user never seen (offline, no
 * `lastSeenAt`), so presence never reaches strangers, nor someone who merely opened a conversation with them.
 */
export async function getPresence(
  ctx: ChatContext,
  { userId, userIds }: { userId: string; userIds: string[] },
): Promise<{ users: PresenceStatus[] }> {
  const visible = await visibleTo(ctx, userId, userIds);
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
