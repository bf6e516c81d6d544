/**
 * In-memory fakes of the domain's ports (shared/domain/ports.ts), for use-case unit tests without DynamoDB.
 *
 * Each fake keeps the contract its port documents and the behaviour of the DynamoDB adapter it stands in for
 * (shared/store/): every conditional write is decided atomically at the moment of the call, so use cases racing
 * each other through `Promise.all` meet the same outcomes (`seq-taken`, `concurrent-change`) as against the
 * table. Reads answer copies, so a use case cannot change stored state by mutating what it read.
 * Integration tests keep DynamoDB Local; these fakes live in tests only.
 */

import { type ChatSettings, defaultSettings } from '../../shared/config.ts';
import { Access, MemberDirectory } from '../../shared/domain/access.ts';
import type { ChatContext } from '../../shared/domain/context.ts';
import { InMemoryConnectionExpiry, RecordingCloser } from './in-memory-expiry.ts';
import { limits } from '../../shared/domain/limits.ts';
import type { Member, Message, ServerEvent, StoredConversation } from '../../shared/domain/model.ts';
import {
  type AppendInput,
  type AppendOutcome,
  type ConversationRepository,
  connectionsOf,
  type DeliveryReport,
  type InboxPage,
  type LiveConnection,
  type Membership,
  type MembershipOutcome,
  type MessagePage,
  type MessageRepository,
  type NewConversation,
  type Notifier,
  type RateDecision,
  type RateLimiter,
  type SessionRepository,
  type TypingRepository,
  type UserSessions,
} from '../../shared/domain/ports.ts';
import { validationFailed } from '../../shared/errors.ts';

type Options<Port, K extends keyof Port> = Port[K] extends (options: infer O, ...rest: never[]) => unknown
  ? O
  : never;

const copy = <T>(value: T): T => structuredClone(value);

/** A member as the table keeps it: the domain's member plus its place in the user's inbox index. */
interface StoredMember extends Member {
  /** The member's inbox sort position (`lastActivityAt` it was last moved to). */
  inboxAt: string;
}

/** The state the conversation and message fakes share, as the adapters share one table. */
class InMemoryTable {
  readonly conversations = new Map<string, StoredConversation>();
  /** Members per conversation, by user id. */
  readonly members = new Map<string, Map<string, StoredMember>>();
  /** Direct conversations by their sorted user pair. */
  readonly directPairs = new Map<string, string>();
  /** Messages per conversation, by seq. */
  readonly messages = new Map<string, Map<number, Message>>();
  /** Send keys (conversation, sender, clientMessageId) → the seq they stored. */
  readonly sendKeys = new Map<string, number>();

  membersOf(conversationId: string): Map<string, StoredMember> {
    let members = this.members.get(conversationId);
    if (!members) {
      members = new Map();
      this.members.set(conversationId, members);
    }
    return members;
  }

  messagesOf(conversationId: string): Map<number, Message> {
    let messages = this.messages.get(conversationId);
    if (!messages) {
      messages = new Map();
      this.messages.set(conversationId, messages);
    }
    return messages;
  }
}

const memberView = ({ inboxAt: _, ...member }: StoredMember): Member => ({ ...member });
const inboxSortKey = (member: StoredMember, conversationId: string) => `${member.inboxAt}#${conversationId}`;
const directPairKey = (a: string, b: string) => JSON.stringify([a, b].sort());

class InMemoryConversations implements ConversationRepository {
  constructor(readonly table = new InMemoryTable()) {}

  async create(conversation: NewConversation): Promise<{ created: boolean; conversationId: string }> {
    const { conversationId, createdAt } = conversation;
    const pair =
      conversation.type === 'direct'
        ? directPairKey(conversation.members[0]?.userId ?? '', conversation.members[1]?.userId ?? '')
        : undefined;
    const existing = pair === undefined ? undefined : this.table.directPairs.get(pair);
    if (existing !== undefined) return { created: false, conversationId: existing };
    // The adapter's transaction puts every item with attribute_not_exists: a reused id fails the whole write.
    if (this.table.conversations.has(conversationId)) {
      throw new Error(`conversation ${conversationId} exists already (TransactionCanceledException)`);
    }
    if (pair !== undefined) this.table.directPairs.set(pair, conversationId);
    this.table.conversations.set(conversationId, {
      conversationId,
      type: conversation.type,
      ...(conversation.name === undefined ? {} : { name: conversation.name }),
      createdBy: conversation.createdBy,
      createdAt,
      lastSeq: 0,
      lastActivityAt: createdAt,
      inboxIndexedAt: createdAt,
      membersVersion: 1,
      memberCount: conversation.members.length,
    });
    const members = this.table.membersOf(conversationId);
    for (const { userId, role } of conversation.members) {
      members.set(userId, { userId, role, joinedAt: createdAt, lastReadSeq: 0, inboxAt: createdAt });
    }
    return { created: true, conversationId };
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const found = this.table.conversations.get(conversationId);
    return found ? copy(found) : undefined;
  }

  async getMany(conversationIds: string[]): Promise<Map<string, StoredConversation>> {
    const found = new Map<string, StoredConversation>();
    for (const id of conversationIds) {
      const conversation = this.table.conversations.get(id);
      if (conversation) found.set(id, copy(conversation));
    }
    return found;
  }

  /** Members in the table's key order (by user id), as the adapter's Query answers them. */
  async listMembers(conversationId: string): Promise<Member[]> {
    return [...(this.table.members.get(conversationId)?.values() ?? [])]
      .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
      .map(memberView);
  }

  async getMember({
    conversationId,
    userId,
  }: Options<ConversationRepository, 'getMember'>): Promise<Member | undefined> {
    const member = this.table.members.get(conversationId)?.get(userId);
    return member ? memberView(member) : undefined;
  }

  async addMembers({
    conversation,
    userIds,
    now,
  }: Options<ConversationRepository, 'addMembers'>): Promise<MembershipOutcome> {
    const stored = this.table.conversations.get(conversation.conversationId);
    const members = this.table.membersOf(conversation.conversationId);
    if (!stored || stored.membersVersion !== conversation.membersVersion) return 'concurrent-change';
    if (userIds.some((userId) => members.has(userId))) return 'concurrent-change';
    for (const userId of userIds) {
      members.set(userId, {
        userId,
        role: 'member',
        joinedAt: now,
        lastReadSeq: 0,
        inboxAt: conversation.lastActivityAt,
      });
    }
    stored.membersVersion += 1;
    stored.memberCount += userIds.length;
    return 'changed';
  }

  async removeMember({
    conversation,
    userId,
    successor,
  }: Options<ConversationRepository, 'removeMember'>): Promise<MembershipOutcome> {
    const stored = this.table.conversations.get(conversation.conversationId);
    const members = this.table.membersOf(conversation.conversationId);
    if (!stored || stored.membersVersion !== conversation.membersVersion) return 'concurrent-change';
    if (!members.has(userId)) return 'concurrent-change';
    const promoted = successor === undefined ? undefined : members.get(successor);
    if (successor !== undefined && !promoted) return 'concurrent-change';
    members.delete(userId);
    if (promoted) promoted.role = 'admin';
    stored.membersVersion += 1;
    stored.memberCount -= 1;
    return 'changed';
  }

  /** A user's memberships, most recent inbox position first, as the inbox index orders them. */
  private inboxOf(userId: string): { sortKey: string; membership: Membership }[] {
    const entries: { sortKey: string; membership: Membership }[] = [];
    for (const [conversationId, members] of this.table.members) {
      const member = members.get(userId);
      if (!member) continue;
      entries.push({
        sortKey: inboxSortKey(member, conversationId),
        membership: { conversationId, userId, lastReadSeq: member.lastReadSeq },
      });
    }
    return entries.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
  }

  async inboxPage({
    userId,
    limit,
    cursor,
  }: Options<ConversationRepository, 'inboxPage'>): Promise<InboxPage> {
    const after = cursor === undefined ? undefined : decodeInboxCursor(cursor, userId);
    const rest = this.inboxOf(userId).filter((entry) => after === undefined || entry.sortKey < after);
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return {
      memberships: page.map((entry) => entry.membership),
      ...(rest.length > limit && last ? { cursor: encodeInboxCursor(userId, last.sortKey) } : {}),
    };
  }

  async allMemberships(userId: string): Promise<Membership[]> {
    return this.inboxOf(userId).map((entry) => entry.membership);
  }

  async advanceRead({
    conversationId,
    userId,
    seq,
  }: Options<ConversationRepository, 'advanceRead'>): Promise<boolean> {
    const member = this.table.members.get(conversationId)?.get(userId);
    if (!member || member.lastReadSeq >= seq) return false;
    member.lastReadSeq = seq;
    return true;
  }

  async touchInbox({
    conversationId,
    userId,
    lastActivityAt,
  }: Options<ConversationRepository, 'touchInbox'>): Promise<void> {
    const member = this.table.members.get(conversationId)?.get(userId);
    if (member && member.inboxAt < lastActivityAt) member.inboxAt = lastActivityAt;
  }
}

/** Cursors are opaque and only valid for the user whose inbox they came from, as the adapter's are. */
function encodeInboxCursor(userId: string, sortKey: string): string {
  return Buffer.from(JSON.stringify({ userId, sortKey })).toString('base64url');
}

function decodeInboxCursor(cursor: string, userId: string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const candidate = decoded as { userId?: unknown; sortKey?: unknown } | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    candidate.userId !== userId ||
    typeof candidate.sortKey !== 'string'
  ) {
    throw validationFailed('cursor', 'is not a cursor of this list');
  }
  return candidate.sortKey;
}

/** What an append carried besides the message: what the stream record would tell the fan-out. */
export interface AppendRecord {
  input: AppendInput;
  outcome: AppendOutcome['outcome'];
}

class InMemoryMessages implements MessageRepository {
  /** Every append, in call order, with its outcome. */
  readonly appends: AppendRecord[] = [];
  private readonly beforeAppend: (() => void | Promise<void>)[] = [];

  constructor(readonly table = new InMemoryTable()) {}

  /**
   * Runs `change` the next time `append` is called, before its conditions are checked: what another writer
   * did between the use case's read and its write.
   */
  onceBeforeAppend(change: () => void | Promise<void>): void {
    this.beforeAppend.push(change);
  }

  async append(input: AppendInput): Promise<AppendOutcome> {
    const interleaved = this.beforeAppend.shift();
    if (interleaved) await interleaved();
    const outcome = this.decideAppend(input);
    this.appends.push({ input: copy(input), outcome: outcome.outcome });
    return outcome;
  }

  /** The adapter's transaction, decided at once: its four conditions and their order of precedence. */
  private decideAppend(input: AppendInput): AppendOutcome {
    const { message, expectedLastSeq, expectedMembersVersion } = input;
    const { conversationId, senderId, seq } = message;
    const sendKey = sendKeyOf(conversationId, senderId, message.clientMessageId);
    const conversation = this.table.conversations.get(conversationId);
    const sender = this.table.members.get(conversationId)?.get(senderId);
    const messages = this.table.messagesOf(conversationId);
    if (this.table.sendKeys.has(sendKey)) return { outcome: 'duplicate' };
    if (!sender) return { outcome: 'membership-changed' };
    const conversationHolds =
      conversation !== undefined &&
      conversation.lastSeq === expectedLastSeq &&
      conversation.membersVersion === expectedMembersVersion;
    if (!conversationHolds || messages.has(seq)) return { outcome: 'seq-taken' };
    this.table.sendKeys.set(sendKey, seq);
    conversation.lastSeq = seq;
    conversation.lastActivityAt = message.createdAt;
    conversation.lastMessage = copy(message);
    if (input.moveInbox) conversation.inboxIndexedAt = message.createdAt;
    messages.set(seq, copy(message));
    // The sender's own message is read.
    sender.lastReadSeq = seq;
    return { outcome: 'stored' };
  }

  async findBySendKey({
    conversationId,
    senderId,
    clientMessageId,
  }: Options<MessageRepository, 'findBySendKey'>): Promise<Message | undefined> {
    const seq = this.table.sendKeys.get(sendKeyOf(conversationId, senderId, clientMessageId));
    return seq === undefined ? undefined : this.get({ conversationId, seq });
  }

  async get({ conversationId, seq }: Options<MessageRepository, 'get'>): Promise<Message | undefined> {
    const message = this.table.messages.get(conversationId)?.get(seq);
    return message ? copy(message) : undefined;
  }

  /** Newest first before a seq (or from the end), oldest first after a seq; one page and whether more exist. */
  async page({
    conversationId,
    limit,
    before,
    after,
  }: Options<MessageRepository, 'page'>): Promise<MessagePage> {
    const all = [...(this.table.messages.get(conversationId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
    const matching =
      after !== undefined
        ? all.filter((m) => m.seq > after)
        : (before !== undefined ? all.filter((m) => m.seq < before) : all).reverse();
    return { items: matching.slice(0, limit).map(copy), hasMore: matching.length > limit };
  }

  async update({
    conversationId,
    seq,
    authorId,
    change,
  }: Options<MessageRepository, 'update'>): Promise<Message | undefined> {
    const message = this.table.messages.get(conversationId)?.get(seq);
    if (!message || message.senderId !== authorId || message.deletedAt !== undefined) return undefined;
    if ('deletedAt' in change) {
      message.body = '';
      message.deletedAt = change.deletedAt;
    } else {
      message.body = change.body;
      message.editedAt = change.editedAt;
    }
    return copy(message);
  }

  async refreshLastMessage(message: Message): Promise<void> {
    const conversation = this.table.conversations.get(message.conversationId);
    if (conversation && conversation.lastSeq === message.seq) conversation.lastMessage = copy(message);
  }

  /** Drops a stored message while its send key lives on, as retention (TTL) may leave them. */
  expire({ conversationId, seq }: { conversationId: string; seq: number }): void {
    this.table.messages.get(conversationId)?.delete(seq);
  }
}

const sendKeyOf = (conversationId: string, senderId: string, clientMessageId: string) =>
  JSON.stringify([conversationId, senderId, clientMessageId]);

/** Whether a connection whose presence expires at `expiresAtMs` may still be open (the adapter's rule). */
const mayBeOpen = (expiresAtMs: number, nowMs: number) => expiresAtMs + limits.maxConnectionAgeMs > nowMs;

class InMemorySessions implements SessionRepository {
  private readonly users = new Map<string, { connections: Map<string, number>; lastSeenAt: string }>();

  private sessionsOf(userId: string, nowMs: number): UserSessions {
    const record = this.users.get(userId);
    const connections: LiveConnection[] = [...(record?.connections ?? [])]
      .filter(([, expiresAtMs]) => mayBeOpen(expiresAtMs, nowMs))
      .map(([connectionId, expiresAtMs]) => ({ userId, connectionId, expiresAtMs }));
    return {
      userId,
      connections,
      online: connections.some((connection) => connection.expiresAtMs > nowMs),
      lastSeenAt: record?.lastSeenAt ?? null,
    };
  }

  async putConnection({
    userId,
    connectionId,
    expiresAtMs,
    nowMs,
  }: Options<SessionRepository, 'putConnection'>): Promise<{ wasOnline: boolean }> {
    const wasOnline = this.sessionsOf(userId, nowMs).online;
    const record = this.users.get(userId) ?? { connections: new Map(), lastSeenAt: '' };
    record.connections.set(connectionId, expiresAtMs);
    record.lastSeenAt = new Date(nowMs).toISOString();
    // Connections that cannot be open any more are pruned, so the record does not grow.
    for (const [id, expires] of record.connections) {
      if (!mayBeOpen(expires, nowMs)) record.connections.delete(id);
    }
    this.users.set(userId, record);
    return { wasOnline };
  }

  async removeConnection({
    userId,
    connectionId,
    nowMs,
  }: Options<SessionRepository, 'removeConnection'>): Promise<{ stillOnline: boolean }> {
    const record = this.users.get(userId);
    // The adapter's update is conditional on the user's item existing: a user never seen stays unseen.
    if (!record) return { stillOnline: false };
    record.connections.delete(connectionId);
    record.lastSeenAt = new Date(nowMs).toISOString();
    return { stillOnline: this.sessionsOf(userId, nowMs).online };
  }

  async getMany(userIds: string[], nowMs: number): Promise<Map<string, UserSessions>> {
    return new Map(userIds.map((userId) => [userId, this.sessionsOf(userId, nowMs)]));
  }
}

class InMemoryTyping implements TypingRepository {
  private readonly signals = new Map<string, { broadcastAtMs: number; expiresAtMs: number }>();

  /** Writes (and broadcasts) only outside the coalescing window or after the signal expired; else changes nothing. */
  async start({
    conversationId,
    userId,
    nowMs,
    expiresAtMs,
    coalesceMs,
  }: Options<TypingRepository, 'start'>): Promise<boolean> {
    const key = JSON.stringify([conversationId, userId]);
    const signal = this.signals.get(key);
    const due = !signal || signal.broadcastAtMs <= nowMs - coalesceMs || signal.expiresAtMs <= nowMs;
    if (!due) return false;
    this.signals.set(key, { broadcastAtMs: nowMs, expiresAtMs });
    return true;
  }

  async stop({ conversationId, userId, nowMs }: Options<TypingRepository, 'stop'>): Promise<boolean> {
    const key = JSON.stringify([conversationId, userId]);
    const signal = this.signals.get(key);
    this.signals.delete(key);
    return signal !== undefined && signal.expiresAtMs > nowMs;
  }
}

class InMemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, number>();
  private readonly refused = new Set<string>();

  /** One counter per user, bucket and clock minute, as the adapter keeps them (exact: one container). */
  async take({ userId, bucket, perMinute, nowMs }: Options<RateLimiter, 'take'>): Promise<RateDecision> {
    const key = JSON.stringify([userId, bucket, Math.floor(nowMs / 60_000)]);
    const hits = this.hits.get(key) ?? 0;
    if (hits < perMinute) {
      this.hits.set(key, hits + 1);
      return 'taken';
    }
    if (this.refused.has(key)) return 'refused-again';
    this.refused.add(key);
    return 'refused';
  }
}

/** One event that reached one connection. */
interface Delivery {
  userId: string;
  connectionId: string;
  event: ServerEvent;
  /** True for `toConnection` (a direct answer to the asking socket), false for fan-outs. */
  direct: boolean;
}

/**
 * A Notifier that records what each connection would have received. Users are resolved to their connections
 * through the sessions, as the real notifier does: a user without a live connection receives nothing.
 */
class RecordingNotifier implements Notifier {
  readonly deliveries: Delivery[] = [];
  /** Connections whose deliveries fail (counted as `failed`, not recorded). */
  readonly failing = new Set<string>();

  constructor(
    private readonly sessions: Pick<SessionRepository, 'getMany'>,
    private readonly clock: () => number,
  ) {}

  async sessionsOf(userIds: string[]): Promise<Map<string, UserSessions>> {
    return userIds.length === 0 ? new Map() : this.sessions.getMany(userIds, this.clock());
  }

  async toUsers(userIds: string[], event: ServerEvent): Promise<DeliveryReport> {
    return this.toConnections(connectionsOf(await this.sessionsOf(userIds)), event);
  }

  async toConnections(connections: LiveConnection[], event: ServerEvent): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, pruned: 0, failed: 0, retries: 0 };
    for (const { userId, connectionId } of connections) {
      if (this.failing.has(connectionId)) {
        report.failed += 1;
        continue;
      }
      this.deliveries.push({ userId, connectionId, event: copy(event), direct: false });
      report.delivered += 1;
    }
    return report;
  }

  async toConnection({ userId, connectionId }: { userId: string; connectionId: string }, event: ServerEvent) {
    this.deliveries.push({ userId, connectionId, event: copy(event), direct: true });
  }

  /** Events that reached any connection of the user, in order. */
  eventsOf(userId: string): ServerEvent[] {
    return this.deliveries.filter((d) => d.userId === userId).map((d) => d.event);
  }

  /** Events that reached one connection, in order. */
  eventsAt(connectionId: string): ServerEvent[] {
    return this.deliveries.filter((d) => d.connectionId === connectionId).map((d) => d.event);
  }

  /** Forgets what was delivered so far (after a test's preparation). */
  clear(): void {
    this.deliveries.length = 0;
  }
}

/** A clock the test moves by hand. */
class ManualClock {
  constructor(private nowMs = Date.parse('2026-01-05T09:00:00.000Z')) {}

  readonly now = (): number => this.nowMs;

  advance(ms: number): void {
    this.nowMs += ms;
  }

  iso(): string {
    return new Date(this.nowMs).toISOString();
  }
}

export interface InMemoryChat {
  ctx: ChatContext;
  clock: ManualClock;
  notifier: RecordingNotifier;
  conversations: InMemoryConversations;
  messages: InMemoryMessages;
  sessions: InMemorySessions;
  typing: InMemoryTyping;
  rateLimits: InMemoryRateLimiter;
  /** Opens a connection for the user (as `$connect` records it, without announcing anything). */
  online(userId: string, connectionId?: string): Promise<string>;
}

/** A ChatContext on in-memory fakes, with the default settings (or some overridden) and a manual clock. */
export function inMemoryChat(
  options: { settings?: Partial<ChatSettings>; startMs?: number } = {},
): InMemoryChat {
  const clock = new ManualClock(options.startMs);
  const table = new InMemoryTable();
  const conversations = new InMemoryConversations(table);
  const messages = new InMemoryMessages(table);
  const sessions = new InMemorySessions();
  const typing = new InMemoryTyping();
  const rateLimits = new InMemoryRateLimiter();
  const notifier = new RecordingNotifier(sessions, clock.now);
  const directory = new MemberDirectory(conversations, undefined, undefined, clock.now);
  const settings: ChatSettings = { ...defaultSettings, ...options.settings };
  let ids = 0;
  const ctx: ChatContext = {
    conversations,
    messages,
    sessions,
    typing,
    rateLimits,
    directory,
    access: new Access(conversations, directory, clock),
    notifier,
    connectionExpiry: new InMemoryConnectionExpiry(),
    connectionCloser: new RecordingCloser(),
    settings,
    clock: clock.now,
    // Alphanumeric like a ULID, so message ids built from it parse back to their seq.
    newId: () => `ID${String(++ids).padStart(8, '0')}`,
  };
  return {
    ctx,
    clock,
    notifier,
    conversations,
    messages,
    sessions,
    typing,
    rateLimits,
    async online(userId, connectionId = `${userId}-conn`) {
      await sessions.putConnection({
        userId,
        connectionId,
        expiresAtMs: clock.now() + settings.presenceTtlSeconds * 1000,
        nowMs: clock.now(),
      });
      return connectionId;
    },
  };
}
