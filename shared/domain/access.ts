/**
 * The single place that decides who may do what in a conversation: member, admin, author. Every use case goes
 * through `Access`. A missing conversation and a conversation the caller is not in give the same answer.
 */
import { forbidden, notMember } from '../errors.ts';
import type { Member, StoredConversation } from './model.ts';
import type { ConversationRepository } from './ports.ts';

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
    private readonly store: Pick<ConversationRepository, 'listMembers'>,
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

/** A user's standing in one conversation, asked by the use cases. */
export class Access {
  /** Recently read conversations, for `memberToSend` only (see there). */
  private readonly snapshots = new Map<string, { conversation: StoredConversation; expiresAtMs: number }>();

  constructor(
    private readonly conversations: Pick<ConversationRepository, 'get'>,
    private readonly directory: MemberDirectory,
    private readonly clock: () => number = Date.now,
    private readonly snapshotTtlMs = 60_000,
    private readonly maxSnapshots = 2_000,
  ) {}

  /**
   * As `member`, but from a conversation read up to a minute ago: for a send, whose seq reservation is
   * conditional on the members version, so a stale snapshot is caught there (then `forget` it and ask again).
   * A snapshot that says "not a member" is read again before the send is refused: the caller may be new.
   */
  async memberToSend(request: { conversationId: string; userId: string }): Promise<Authorized> {
    const snapshot = this.snapshots.get(request.conversationId);
    if (snapshot && snapshot.expiresAtMs > this.clock()) {
      const members = await this.directory.members(
        request.conversationId,
        snapshot.conversation.membersVersion,
      );
      const me = members.find((member) => member.userId === request.userId);
      if (me) return { conversation: snapshot.conversation, members, me };
    }
    const authorized = await this.member(request);
    this.remember(authorized.conversation);
    return authorized;
  }

  /** Keeps the conversation as just written or read, for the next `memberToSend`. */
  remember(conversation: StoredConversation): void {
    if (this.snapshots.size >= this.maxSnapshots && !this.snapshots.has(conversation.conversationId))
      this.snapshots.delete(this.snapshots.keys().next().value as string);
    this.snapshots.set(conversation.conversationId, {
      conversation,
      expiresAtMs: this.clock() + this.snapshotTtlMs,
    });
  }

  forget(conversationId: string): void {
    this.snapshots.delete(conversationId);
  }

  /** The conversation, its members and the caller, who must be a member. */
  async member({ conversationId, userId }: { conversationId: string; userId: string }): Promise<Authorized> {
    const conversation = await this.conversations.get(conversationId);
    if (!conversation) throw notMember();
    const members = await this.directory.members(conversationId, conversation.membersVersion);
    const me = members.find((member) => member.userId === userId);
    if (!me) throw notMember();
    return { conversation, members, me };
  }

  /** As `member`, and the caller must be a group admin. */
  async admin(options: { conversationId: string; userId: string }): Promise<Authorized> {
    const authorized = await this.member(options);
    requireAdmin(authorized.me);
    return authorized;
  }
}

export function requireAdmin(me: Member): void {
  if (me.role !== 'admin') throw forbidden('Only a group admin may do this');
}

/** Only the author may change a message. */
export function requireAuthor(senderId: string, userId: string): void {
  if (senderId !== userId) throw forbidden('Only the author may change this message');
}
