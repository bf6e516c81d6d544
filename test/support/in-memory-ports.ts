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
import { messageIdFor } from '../../shared/domain/ids.ts';
import { limits } from '../../shared/domain/limits.ts';
import type { Member, Message, ServerEvent, StoredConversation } from '../../shared/domain/model.ts';
import {
  type BlockRepository,
  type ConversationRepository,
  type CreateOutcome,
  connectionsOf,
  type DeliveryReport,
  type Departure,
  displacedBy,
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
  type SendIntent,
  type SeqPosition,
  type SeqReservation,
  type SessionRepository,
  type StoredSend,
  type TypingRepository,
  type UserSessions,
} from '../../shared/domain/ports.ts';
import { DerivedUnreadIndex } from '../../shared/domain/read-positions.ts';
import { validationFailed } from '../../shared/errors.ts';
import { fakeSigner, InMemoryAttachments, InMemoryObjects } from './in-memory-attachments.ts';
import { InMemoryConnectionExpiry, RecordingCloser } from './in-memory-expiry.ts';
import {
  FakeContentFilter,
  InMemoryAudit,
  InMemoryReports,
  InMemorySuspensions,
} from './in-memory-moderation.ts';
import { FakePushSender, InMemoryDevices, InMemoryMutes, RecordingPushQueue } from './in-memory-push.ts';
import { InMemoryMentions, InMemoryReactions } from './in-memory-rich.ts';

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
  /** Members who left by themselves, by `departureKey`. */
  readonly departures = new Map<string, Departure>();
  /** Blocks, by `blockKey(blocker, blocked)`. */
  readonly blocks = new Set<string>();

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
const departureKey = (conversationId: string, userId: string) => JSON.stringify([conversationId, userId]);
const blockKey = (blockerId: string, blockedId: string) => JSON.stringify([blockerId, blockedId]);

class InMemoryConversations implements ConversationRepository {
  constructor(readonly table = new InMemoryTable()) {}

  async create(conversation: NewConversation): Promise<CreateOutcome> {
    const { conversationId, createdAt } = conversation;
    const [first = '', second = ''] = conversation.members.map((m) => m.userId);
    const pair = conversation.type === 'direct' ? directPairKey(first, second) : undefined;
    const blocked =
      this.table.blocks.has(blockKey(first, second)) || this.table.blocks.has(blockKey(second, first));
    if (pair !== undefined && blocked) return { outcome: 'blocked' };
    const existing = pair === undefined ? undefined : this.table.directPairs.get(pair);
    if (existing !== undefined) return { outcome: 'existing', conversationId: existing };
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
      sentSeqs: {},
      inboxIndexedAt: createdAt,
      membersVersion: 1,
      memberCount: conversation.members.length,
    });
    const members = this.table.membersOf(conversationId);
    for (const { userId, role } of conversation.members) {
      members.set(userId, { userId, role, joinedAt: createdAt, lastReadSeq: 0, inboxAt: createdAt });
    }
    return { outcome: 'created', conversationId };
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

  async getMemberships(pairs: Options<ConversationRepository, 'getMemberships'>): Promise<Membership[]> {
    return pairs.flatMap(({ conversationId, userId }) => {
      const member = this.table.members.get(conversationId)?.get(userId);
      return member ? [{ conversationId, userId, lastReadSeq: member.lastReadSeq }] : [];
    });
  }

  async departures({
    conversationId,
    userIds,
  }: Options<ConversationRepository, 'departures'>): Promise<Departure[]> {
    return userIds.flatMap((userId) => {
      const departure = this.table.departures.get(departureKey(conversationId, userId));
      return departure ? [copy(departure)] : [];
    });
  }

  async rejoin({
    conversation,
    departure,
    now,
  }: Options<ConversationRepository, 'rejoin'>): Promise<MembershipOutcome> {
    const stored = this.table.conversations.get(conversation.conversationId);
    const key = departureKey(departure.conversationId, departure.userId);
    if (!stored || stored.membersVersion !== conversation.membersVersion) return 'concurrent-change';
    if (!this.table.departures.delete(key)) return 'concurrent-change';
    this.table.membersOf(conversation.conversationId).set(departure.userId, {
      userId: departure.userId,
      role: 'member',
      joinedAt: now,
      lastReadSeq: departure.lastReadSeq,
      inboxAt: conversation.lastActivityAt,
    });
    stored.membersVersion += 1;
    stored.memberCount += 1;
    return 'changed';
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
    departure,
  }: Options<ConversationRepository, 'removeMember'>): Promise<MembershipOutcome> {
    const stored = this.table.conversations.get(conversation.conversationId);
    const members = this.table.membersOf(conversation.conversationId);
    if (!stored || stored.membersVersion !== conversation.membersVersion) return 'concurrent-change';
    if (!members.has(userId)) return 'concurrent-change';
    const promoted = successor === undefined ? undefined : members.get(successor);
    if (successor !== undefined && !promoted) return 'concurrent-change';
    members.delete(userId);
    if (departure) this.table.departures.set(departureKey(departure.conversationId, userId), copy(departure));
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

  async seqPositions(conversationIds: string[], userId: string): Promise<Map<string, SeqPosition>> {
    const positions = new Map<string, SeqPosition>();
    for (const [id, conversation] of await this.getMany(conversationIds)) {
      positions.set(id, { lastSeq: conversation.lastSeq, ownSeq: conversation.sentSeqs[userId] ?? 0 });
    }
    return positions;
  }

  async advanceRead({
    conversationId,
    userId,
    seq,
  }: Options<ConversationRepository, 'advanceRead'>): Promise<number | undefined> {
    const member = this.table.members.get(conversationId)?.get(userId);
    if (!member || member.lastReadSeq >= seq) return undefined;
    const previous = member.lastReadSeq;
    member.lastReadSeq = seq;
    return previous;
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

class InMemoryMessages implements MessageRepository {
  /** Every message stored, in call order, with what its stream record would tell the fan-out. */
  readonly stored: StoredSend[] = [];
  /** The outcome of every seq reservation, in call order. */
  readonly reservations: SeqReservation['outcome'][] = [];
  private readonly intents = new Map<string, SendIntent>();
  private readonly beforeReserve: (() => void | Promise<void>)[] = [];

  constructor(readonly table = new InMemoryTable()) {}

  /**
   * Runs `change` the next time `reserveSeq` is called, before its conditions are checked: what another
   * writer did between the use case's read and its write.
   */
  onceBeforeReserve(change: () => void | Promise<void>): void {
    this.beforeReserve.push(change);
  }

  async reserveSeq(options: Options<MessageRepository, 'reserveSeq'>): Promise<SeqReservation> {
    const interleaved = this.beforeReserve.shift();
    if (interleaved) await interleaved();
    const reservation = this.decideReservation(options);
    this.reservations.push(reservation.outcome);
    return reservation;
  }

  /** The adapter's conditional counter update, decided at once. */
  private decideReservation({
    conversationId,
    senderId,
    membersVersion,
    draft,
    marksSenderRead,
    sameSendAgain,
  }: Options<MessageRepository, 'reserveSeq'>): SeqReservation {
    const conversation = this.table.conversations.get(conversationId);
    if (!conversation) return { outcome: 'gone' };
    if (conversation.membersVersion !== membersVersion) return { outcome: 'membership-changed' };
    const last = conversation.lastMessage;
    if (!sameSendAgain && last?.senderId === senderId && last.clientMessageId === draft.clientMessageId)
      return { outcome: 'racing' };
    const others = [...this.table.membersOf(conversationId).keys()].filter((id) => id !== senderId);
    if (
      conversation.type === 'direct' &&
      others.some((other) => this.table.blocks.has(blockKey(other, senderId)))
    )
      return { outcome: 'blocked' };
    const seq = conversation.lastSeq + 1;
    const { unique, ...rest } = draft;
    conversation.lastSeq = seq;
    conversation.lastActivityAt = draft.createdAt;
    conversation.lastMessage = { ...rest, seq, messageId: messageIdFor(seq, unique) };
    if (marksSenderRead) conversation.sentSeqs = { ...conversation.sentSeqs, [senderId]: seq };
    return { outcome: 'reserved', seq, conversation: copy(conversation) };
  }

  async recordIntent(intent: SendIntent): Promise<'recorded' | 'duplicate'> {
    const { conversationId, senderId, clientMessageId } = intent.message;
    const key = sendKeyOf(conversationId, senderId, clientMessageId);
    if (this.intents.has(key)) return 'duplicate';
    this.intents.set(key, copy(intent));
    return 'recorded';
  }

  async findIntent({
    conversationId,
    senderId,
    clientMessageId,
  }: Options<MessageRepository, 'findIntent'>): Promise<SendIntent | undefined> {
    const intent = this.intents.get(sendKeyOf(conversationId, senderId, clientMessageId));
    return intent ? copy(intent) : undefined;
  }

  /** Every intent recorded, as the stream would show them. */
  recordedIntents(): SendIntent[] {
    return [...this.intents.values()].map(copy);
  }

  async store(send: StoredSend): Promise<boolean> {
    const messages = this.table.messagesOf(send.message.conversationId);
    if (messages.has(send.message.seq)) return false;
    messages.set(send.message.seq, copy(send.message));
    this.stored.push(copy(send));
    return true;
  }

  async moveInboxMark({ conversationId, from, to }: Options<MessageRepository, 'moveInboxMark'>) {
    const conversation = this.table.conversations.get(conversationId);
    if (!conversation || conversation.inboxIndexedAt !== from) return false;
    conversation.inboxIndexedAt = to;
    return true;
  }

  async get({ conversationId, seq }: Options<MessageRepository, 'get'>): Promise<Message | undefined> {
    const message = this.table.messages.get(conversationId)?.get(seq);
    return message ? copy(message) : undefined;
  }

  async getMany(places: Options<MessageRepository, 'getMany'>): Promise<Message[]> {
    return places.flatMap(({ conversationId, seq }) => {
      const message = this.table.messages.get(conversationId)?.get(seq);
      return message ? [copy(message)] : [];
    });
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
      delete message.attachments;
    } else {
      message.body = change.body;
      message.editedAt = change.editedAt;
    }
    return copy(message);
  }

  async remove({
    conversationId,
    seq,
    removedAt,
  }: Options<MessageRepository, 'remove'>): Promise<Message | undefined> {
    const message = this.table.messages.get(conversationId)?.get(seq);
    if (!message || message.deletedAt !== undefined) return undefined;
    Object.assign(message, { body: '', deletedAt: removedAt, removedBy: 'moderator' });
    delete message.attachments;
    return copy(message);
  }

  async refreshLastMessage(message: Message): Promise<void> {
    const conversation = this.table.conversations.get(message.conversationId);
    if (conversation && conversation.lastSeq === message.seq) conversation.lastMessage = copy(message);
  }

  async showPreview({
    conversationId,
    seq,
    attachmentId,
    preview,
  }: Options<MessageRepository, 'showPreview'>): Promise<'shown' | 'not-stored' | 'deleted'> {
    const message = this.table.messages.get(conversationId)?.get(seq);
    if (!message) return 'not-stored';
    const entry = message.attachments?.find((attachment) => attachment.attachmentId === attachmentId);
    if (message.deletedAt || !entry) return 'deleted';
    Object.assign(entry, { ...preview, hasThumbnail: true });
    return 'shown';
  }

  /** Drops a stored message and its intent, as retention (TTL) does; `keepIntent` leaves the intent behind. */
  expire({
    conversationId,
    seq,
    keepIntent = false,
  }: {
    conversationId: string;
    seq: number;
    keepIntent?: boolean;
  }) {
    const message = this.table.messages.get(conversationId)?.get(seq);
    this.table.messages.get(conversationId)?.delete(seq);
    if (message && !keepIntent)
      this.intents.delete(sendKeyOf(conversationId, message.senderId, message.clientMessageId));
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
    maxConnections,
  }: Options<SessionRepository, 'putConnection'>): ReturnType<SessionRepository['putConnection']> {
    const before = this.sessionsOf(userId, nowMs);
    const displaced = displacedBy(before.connections, connectionId, maxConnections);
    const record = this.users.get(userId) ?? { connections: new Map(), lastSeenAt: '' };
    record.connections.set(connectionId, expiresAtMs);
    record.lastSeenAt = new Date(nowMs).toISOString();
    // Connections that cannot be open any more are pruned, so the record does not grow; displaced ones go too.
    for (const [id, expires] of record.connections) {
      if (!mayBeOpen(expires, nowMs)) record.connections.delete(id);
    }
    for (const { connectionId: id } of displaced) record.connections.delete(id);
    this.users.set(userId, record);
    return { wasOnline: before.online, displaced };
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

/** Blocks in the shared table, so creation sees them as the adapter's transaction does. */
class InMemoryBlocks implements BlockRepository {
  constructor(readonly table = new InMemoryTable()) {}

  private countOf(blockerId: string): number {
    return this.listOf(blockerId).length;
  }

  private listOf(blockerId: string): string[] {
    return [...this.table.blocks]
      .map((key) => JSON.parse(key) as [string, string])
      .filter(([blocker]) => blocker === blockerId)
      .map(([, blocked]) => blocked)
      .sort();
  }

  async block({
    blockerId,
    blockedId,
    maxBlocks,
  }: Options<BlockRepository, 'block'>): Promise<'blocked' | 'limit-reached'> {
    const key = blockKey(blockerId, blockedId);
    if (this.table.blocks.has(key)) return 'blocked';
    if (this.countOf(blockerId) >= maxBlocks) return 'limit-reached';
    this.table.blocks.add(key);
    return 'blocked';
  }

  async unblock({ blockerId, blockedId }: Options<BlockRepository, 'unblock'>): Promise<void> {
    this.table.blocks.delete(blockKey(blockerId, blockedId));
  }

  async listBlocked(blockerId: string): Promise<string[]> {
    return this.listOf(blockerId);
  }

  async relationsOf(userId: string): Promise<{ blocks: Set<string>; blockedBy: Set<string> }> {
    const pairs = [...this.table.blocks].map((key) => JSON.parse(key) as [string, string]);
    return {
      blocks: new Set(pairs.filter(([blocker]) => blocker === userId).map(([, blocked]) => blocked)),
      blockedBy: new Set(pairs.filter(([, blocked]) => blocked === userId).map(([blocker]) => blocker)),
    };
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
  blocks: InMemoryBlocks;
  devices: InMemoryDevices;
  mutes: InMemoryMutes;
  pushQueue: RecordingPushQueue;
  pushSender: FakePushSender;
  reports: InMemoryReports;
  audit: InMemoryAudit;
  suspensions: InMemorySuspensions;
  contentFilter: FakeContentFilter;
  attachments: InMemoryAttachments;
  attachmentObjects: InMemoryObjects;
  reactions: InMemoryReactions;
  mentions: InMemoryMentions;
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
  const blocks = new InMemoryBlocks(table);
  const push = {
    devices: new InMemoryDevices(),
    mutes: new InMemoryMutes(),
    pushQueue: new RecordingPushQueue(),
    pushSender: new FakePushSender(),
  };
  const moderation = {
    reports: new InMemoryReports(),
    audit: new InMemoryAudit(),
    suspensions: new InMemorySuspensions(),
    contentFilter: new FakeContentFilter(),
  };
  const attachments = {
    attachments: new InMemoryAttachments(),
    attachmentObjects: new InMemoryObjects(),
    attachmentSigner: fakeSigner,
  };
  const rich = { reactions: new InMemoryReactions(), mentions: new InMemoryMentions() };
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
    unread: new DerivedUnreadIndex(conversations),
    blocks,
    ...push,
    directory,
    access: new Access(conversations, directory, clock.now),
    notifier,
    connectionExpiry: new InMemoryConnectionExpiry(),
    connectionCloser: new RecordingCloser(),
    ...moderation,
    ...attachments,
    ...rich,
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
    blocks,
    ...push,
    ...moderation,
    attachments: attachments.attachments,
    attachmentObjects: attachments.attachmentObjects,
    ...rich,
    async online(userId, connectionId = `${userId}-conn`) {
      await sessions.putConnection({
        userId,
        connectionId,
        expiresAtMs: clock.now() + settings.presenceTtlSeconds * 1000,
        nowMs: clock.now(),
        maxConnections: settings.maxConnectionsPerUser,
      });
      return connectionId;
    },
  };
}
