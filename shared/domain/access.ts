/**
 * The single place that decides who may do what in a conversation: member, admin, author. Every use case goes
 * through `Access`. A missing conversation and a conversation the caller is not in give the same answer.
 */
import { forbidden, notMember } from '../errors.ts';
import type { Member, StoredConversation } from './model.ts';
import type { ConversationRepository, SharedMemberLists } from './ports.ts';

export interface Authorized {
  conversation: StoredConversation;
  members: Member[];
  me: Member;
}

/** Values kept in memory for a while, at most `maxEntries` of them (the oldest written goes first). */
class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAtMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAtMs > this.clock() ? entry.value : undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAtMs: this.clock() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Member lists cached in memory per (conversation, members version), and with the hot state on Valkey also in
 * a cache all containers share (`shared`), which a container asks before DynamoDB. The version is bumped in the
 * same transaction as every membership change and read with the conversation, so a cached list is never stale
 * for the version it is used with; the TTL and size bound only limit memory.
 */
export class MemberDirectory {
  private readonly cache: ExpiringCache<Member[]>;

  constructor(
    private readonly store: Pick<ConversationRepository, 'listMembers'>,
    ttlMs = 60_000,
    maxEntries = 2_000,
    clock: () => number = Date.now,
    private readonly shared?: SharedMemberLists,
  ) {
    this.cache = new ExpiringCache(ttlMs, maxEntries, clock);
  }

  async members(conversationId: string, membersVersion: number): Promise<Member[]> {
    const cacheKey = `${conversationId}@${membersVersion}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const shared = await this.shared?.get(conversationId, membersVersion);
    if (shared) {
      this.cache.set(cacheKey, shared);
      return shared;
    }
    const members = await this.store.listMembers(conversationId);
    this.cache.set(cacheKey, members);
    await this.shared?.set(conversationId, membersVersion, members);
    return members;
  }

  /** After a membership change: the shared copy goes at once (this container's copies are of the old version). */
  async forget(conversationId: string): Promise<void> {
    await this.shared?.forget(conversationId);
  }
}

/** A user's standing in one conversation, asked by the use cases. */
export class Access {
  /** Recently read conversations, for `memberToSend` only (see there). */
  private readonly snapshots: ExpiringCache<StoredConversation>;

  constructor(
    private readonly conversations: Pick<ConversationRepository, 'get'>,
    private readonly directory: MemberDirectory,
    clock: () => number = Date.now,
    snapshotTtlMs = 60_000,
    maxSnapshots = 2_000,
  ) {
    this.snapshots = new ExpiringCache(snapshotTtlMs, maxSnapshots, clock);
  }

  /**
   * As `member`, but from a conversation read up to a minute ago: for a send, whose seq reservation is
   * conditional on the members version, so a stale snapshot is caught there (then `forget` it and ask again).
   * A snapshot that says "not a member" is read again before the send is refused: the caller may be new.
   */
  async memberToSend(request: { conversationId: string; userId: string }): Promise<Authorized> {
    const snapshot = this.snapshots.get(request.conversationId);
    if (snapshot) {
      const members = await this.directory.members(request.conversationId, snapshot.membersVersion);
      const me = members.find((member) => member.userId === request.userId);
      if (me) return { conversation: snapshot, members, me };
    }
    const authorized = await this.member(request);
    this.remember(authorized.conversation);
    return authorized;
  }

  /** Keeps the conversation as just written or read, for the next `memberToSend`. */
  remember(conversation: StoredConversation): void {
    this.snapshots.set(conversation.conversationId, conversation);
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
