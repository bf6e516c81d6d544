/** Use cases of conversations and membership. */
import { conflict, forbidden, notFound, validationFailed } from '../errors.ts';
import { requireAdmin } from './access.ts';
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';
import {
  type ConversationWithMembers,
  conversationView,
  type InboxEntry,
  type Member,
  unreadCount,
} from './model.ts';
import type { MembershipOutcome } from './ports.ts';

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
  const conversation = await loadConversation(ctx, { conversationId: result.conversationId, userId });
  if (result.created) await announce(ctx, conversation);
  return { conversation, created: result.created };
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
  refuseConcurrentChange(
    await ctx.conversations.addMembers({ conversation, userIds: joining, now: isoNow(ctx) }),
  );
  const updated = await loadConversation(ctx, { conversationId, userId });
  await announce(ctx, updated);
  return updated;
}

export async function removeMember(ctx: ChatContext, request: MemberRequest & { targetId: string }) {
  const { userId, conversationId, targetId } = request;
  const leaving = targetId === userId;
  const { conversation, members, me } = await ctx.access.member({ conversationId, userId });
  if (conversation.type === 'direct') throw forbidden('A direct conversation has no member changes');
  if (!leaving) requireAdmin(me);
  const target = members.find((m) => m.userId === targetId);
  if (!target) throw notFound('member');
  const successor = successorOf(target, members);
  refuseConcurrentChange(
    await ctx.conversations.removeMember({
      conversation,
      userId: targetId,
      ...(successor ? { successor: successor.userId } : {}),
    }),
  );
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

/** One page of the inbox: a Query on the activity index and one BatchGetItem, whatever the inbox size. */
export async function listInbox(
  ctx: ChatContext,
  options: { userId: string; limit: number; cursor?: string },
) {
  const page = await ctx.conversations.inboxPage(options);
  const conversations = await ctx.conversations.getMany(page.memberships.map((m) => m.conversationId));
  const items: InboxEntry[] = page.memberships.flatMap((membership) => {
    const conversation = conversations.get(membership.conversationId);
    if (!conversation) return [];
    return [
      {
        conversation: conversationView(conversation),
        lastMessage: conversation.lastMessage ?? null,
        unreadCount: unreadCount(conversation.lastSeq, membership.lastReadSeq),
      },
    ];
  });
  // The index is moved by the stream consumer, a moment after a send; the snapshot read here is exact.
  items.sort((a, b) => b.conversation.lastActivityAt.localeCompare(a.conversation.lastActivityAt));
  return { items, cursor: page.cursor ?? null };
}
