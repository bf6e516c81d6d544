/** Use cases of conversations and membership. */
import { conflict, forbidden, notFound, validationFailed } from '../errors.ts';
import { requireAdmin } from './access.ts';
import { refuseAddingBlockers } from './blocks.ts';
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';
import {
  type ConversationWithMembers,
  conversationView,
  type InboxEntry,
  type Member,
  readPosition,
  type StoredConversation,
  unreadCount,
} from './model.ts';
import type { Departure, MembershipOutcome } from './ports.ts';
import { withCurrentQuotes } from './rich-messages.ts';

export type CreateConversationInput =
  | { type: 'direct'; memberIds: string[] }
  | { type: 'group'; name: string; memberIds: string[] };

/** Who asks, about which conversation: the input of most use cases. */
export interface MemberRequest {
  userId: string;
  conversationId: string;
}

export async function loadConversation(
  ctx: ChatContext,
  request: MemberRequest,
): Promise<ConversationWithMembers> {
  const { conversation, members } = await ctx.access.member(request);
  return { ...conversationView(conversation), members };
}

/** Tells every listed user's connections about the conversation's current state. */
async function announce(ctx: ChatContext, conversation: ConversationWithMembers, alsoTell: string[] = []) {
  const audience = [...new Set([...conversation.members.map((m) => m.userId), ...alsoTell])];
  await ctx.notifier.toUsers(audience, { type: 'conversation.updated', conversation });
}

export async function createConversation(
  ctx: ChatContext,
  { userId, input }: { userId: string; input: CreateConversationInput },
): Promise<{ conversation: ConversationWithMembers; created: boolean }> {
  const others = [...new Set(input.memberIds)].filter((id) => id !== userId);
  if (input.type === 'direct' && others.length !== 1) {
    throw validationFailed('memberIds', 'a direct conversation needs one other user');
  }
  if (others.length + 1 > limits.maxGroupMembers) {
    throw validationFailed('memberIds', `a group has at most ${limits.maxGroupMembers} members`);
  }
  if (input.type === 'group') await refuseAddingBlockers(ctx, userId, others);
  const result = await ctx.conversations.create({
    conversationId: ctx.newId(),
    type: input.type,
    ...(input.type === 'group' ? { name: input.name } : {}),
    createdBy: userId,
    createdAt: isoNow(ctx),
    members: [
      { userId, role: input.type === 'group' ? 'admin' : 'member' },
      ...others.map((id) => ({ userId: id, role: 'member' as const })),
    ],
  });
  // Either user blocking the other: the same answer whoever asks, and no conversation.
  if (result.outcome === 'blocked') throw forbidden('You cannot start a conversation with this user');
  const { conversationId } = result;
  if (result.outcome === 'created') {
    await ctx.unread.advanced({ conversationId, seq: 0 });
    await ctx.unread.joined({ conversationId, userIds: [userId, ...others], seq: 0 });
  }
  const rejoined = result.outcome === 'existing' && (await rejoinIfLeft(ctx, { conversationId, userId }));
  const conversation = await loadConversation(ctx, { conversationId, userId });
  if (result.outcome === 'created' || rejoined) await announce(ctx, conversation);
  return { conversation, created: result.outcome === 'created' };
}

/**
 * Someone who left a direct conversation comes back by starting it again (nobody else can bring them back):
 * history and the read position they left with are as they were. Answers whether they came back.
 */
async function rejoinIfLeft(ctx: ChatContext, { conversationId, userId }: MemberRequest): Promise<boolean> {
  const [departure] = await ctx.conversations.departures({ conversationId, userIds: [userId] });
  const conversation = departure && (await ctx.conversations.get(conversationId));
  if (!departure || !conversation) return false;
  refuseConcurrentChange(await ctx.conversations.rejoin({ conversation, departure, now: isoNow(ctx) }));
  await ctx.directory.forget(conversationId);
  await ctx.unread.joined({ conversationId, userIds: [userId], seq: departure.lastReadSeq });
  return true;
}

export async function addMembers(ctx: ChatContext, request: MemberRequest & { userIds: string[] }) {
  const { userId, conversationId, userIds } = request;
  const { conversation, members, me } = await ctx.access.member({ conversationId, userId });
  if (conversation.type === 'direct') throw forbidden('A direct conversation has no member changes');
  requireAdmin(me);
  const present = new Set(members.map((m) => m.userId));
  const joining = [...new Set(userIds)].filter((id) => !present.has(id));
  if (joining.length === 0) return { ...conversationView(conversation), members };
  if (members.length + joining.length > limits.maxGroupMembers) {
    throw validationFailed('userIds', `a group has at most ${limits.maxGroupMembers} members`);
  }
  const departed = await ctx.conversations.departures({ conversationId, userIds: joining });
  if (departed.length > 0) throw forbidden('A user who left this group cannot be added back');
  await refuseAddingBlockers(ctx, userId, joining);
  refuseConcurrentChange(
    await ctx.conversations.addMembers({ conversation, userIds: joining, now: isoNow(ctx) }),
  );
  await ctx.directory.forget(conversationId);
  await ctx.unread.joined({ conversationId, userIds: joining, seq: 0 });
  const updated = await loadConversation(ctx, { conversationId, userId });
  await announce(ctx, updated);
  return updated;
}

export async function removeMember(ctx: ChatContext, request: MemberRequest & { targetId: string }) {
  const { userId, conversationId, targetId } = request;
  const leaving = targetId === userId;
  const { conversation, members, me } = await ctx.access.member({ conversationId, userId });
  if (conversation.type === 'direct' && !leaving) {
    throw forbidden('In a direct conversation one can only leave oneself');
  }
  if (!leaving) requireAdmin(me);
  const target = members.find((m) => m.userId === targetId);
  if (!target) throw notFound('member');
  const successor = successorOf(target, members);
  refuseConcurrentChange(
    await ctx.conversations.removeMember({
      conversation,
      userId: targetId,
      ...(successor ? { successor: successor.userId } : {}),
      ...(leaving ? { departure: await departureOf(ctx, conversation, userId) } : {}),
    }),
  );
  await ctx.directory.forget(conversationId);
  await ctx.unread.left({ conversationId, userId: targetId });
  const remaining = members
    .filter((m) => m.userId !== targetId)
    .map((m) => (m === successor ? { ...m, role: 'admin' as const } : m));
  const updated: ConversationWithMembers = {
    ...conversationView(conversation),
    members: remaining,
    memberCount: remaining.length,
  };
  await announce(ctx, updated, [targetId]);
}

/** A member leaving by themselves, with their read position fresh from the table (cached lists lag behind it). */
async function departureOf(
  ctx: ChatContext,
  conversation: StoredConversation,
  userId: string,
): Promise<Departure> {
  const { conversationId } = conversation;
  const member = await ctx.conversations.getMember({ conversationId, userId });
  const lastReadSeq = member ? readPosition(conversation, member) : 0;
  return { conversationId, userId, leftAt: isoNow(ctx), lastReadSeq };
}

/**
 * When the last admin leaves a group, its longest-standing remaining member becomes admin, so a group is never
 * left without anyone who may add members. (Concurrent removals conflict on the members version, so two last
 * admins cannot both leave unseen.)
 */
function successorOf(leaving: Member, members: Member[]): Member | undefined {
  if (leaving.role !== 'admin') return undefined;
  const remaining = members.filter((m) => m.userId !== leaving.userId);
  if (remaining.some((m) => m.role === 'admin')) return undefined;
  return remaining.sort(
    (a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.userId.localeCompare(b.userId),
  )[0];
}

/** A membership change is refused when someone else changed the members at the same moment. */
function refuseConcurrentChange(outcome: MembershipOutcome): void {
  if (outcome === 'concurrent-change')
    throw conflict('The members changed at the same time; reload and try again');
}

/**
 * One page of the inbox: a Query on the activity index and one BatchGetItem, whatever the inbox size (and one
 * more when some last message is a reply, for the messages it quotes).
 */
export async function listInbox(
  ctx: ChatContext,
  options: { userId: string; limit: number; cursor?: string },
) {
  const page = await ctx.conversations.inboxPage(options);
  const conversations = await ctx.conversations.getMany(page.memberships.map((m) => m.conversationId));
  const items: InboxEntry[] = page.memberships.flatMap((membership) => {
    const conversation = conversations.get(membership.conversationId);
    if (!conversation) return [];
    const read = readPosition(conversation, membership);
    return [
      {
        conversation: conversationView(conversation),
        lastMessage: conversation.lastMessage ?? null,
        unreadCount: unreadCount(conversation.lastSeq, read),
        unreadMentions: (membership.mentionSeqs ?? []).filter((seq) => seq > read).length,
      },
    ];
  });
  // A last message that quotes one deleted since shows its quote blank, as history does.
  const lastMessages = await withCurrentQuotes(
    ctx,
    items.flatMap((item) => (item.lastMessage ? [item.lastMessage] : [])),
  );
  const current = new Map(lastMessages.map((message) => [message.conversationId, message]));
  for (const item of items) item.lastMessage = current.get(item.conversation.conversationId) ?? null;
  // The index is moved by the stream consumer, a moment after a send; the snapshot read here is exact.
  items.sort((a, b) => b.conversation.lastActivityAt.localeCompare(a.conversation.lastActivityAt));
  return { items, cursor: page.cursor ?? null };
}
