/**
 * The single place that decides who may do what in a conversation: member, admin, author. Every handler goes
 * through `authorize`. A missing conversation and a conversation the caller is not in give the same answer.
 */
import { forbidden, notMember } from '../errors.ts';
import type { ConversationStore } from '../store/conversation-store.ts';
import type { Member, StoredConversation } from './model.ts';

export type Requirement = 'member' | 'admin';

export interface Authorized {
  conversation: StoredConversation;
  members: Member[];
  me: Member;
}

/**
 * Member lists cached in memory per (conversation, members version). The version is bumped in the same
 * transaction as every membership change and read with the conversation, so a cached list is never stale for
 * the version it is used with; the TTL and size bound only limit memory.
 */
export class MemberDirectory {
  private readonly cache = new Map<string, { members: Member[]; expiresAtMs: number }>();

  constructor(
    private readonly store: ConversationStore,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 2_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async members(conversationId: string, membersVersion: number): Promise<Member[]> {
    const cacheKey = `${conversationId}@${membersVersion}`;
    const now = this.clock();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expiresAtMs > now) return hit.members;
    const members = await this.store.listMembers(conversationId);
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, { members, expiresAtMs: now + this.ttlMs });
    return members;
  }
}

export async function authorize(
  store: ConversationStore,
  directory: MemberDirectory,
  conversationId: string,
  userId: string,
  requirement: Requirement = 'member',
): Promise<Authorized> {
  const conversation = await store.get(conversationId);
  if (!conversation) throw notMember();
  const members = await directory.members(conversationId, conversation.membersVersion);
  const me = members.find((member) => member.userId === userId);
  if (!me) throw notMember();
  if (requirement === 'admin') requireAdmin(me);
  return { conversation, members, me };
}

export function requireAdmin(me: Member): void {
  if (me.role !== 'admin') throw forbidden('Only a group admin may do this');
}

/** Only the author may change a message. */
export function requireAuthor(senderId: string, userId: string): void {
  if (senderId !== userId) throw forbidden('Only the author may change this message');
}
