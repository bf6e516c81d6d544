/**
 * The ports of the domain: what the use cases need from storage and delivery, in the domain's own terms. The
 * adapters (`shared/store/`, `shared/realtime/`) implement them; the domain never imports an adapter, so a test
 * can hand a use case an in-memory fake and another backend can stand in for DynamoDB.
 */
import type { ImageSize } from './attachment-ports.ts';
import { limits } from './limits.ts';
import type {
  ConversationType,
  Member,
  MemberRole,
  Message,
  ServerEvent,
  StoredConversation,
} from './model.ts';

export interface NewConversation {
  conversationId: string;
  type: ConversationType;
  name?: string;
  createdBy: string;
  createdAt: string;
  members: { userId: string; role: MemberRole }[];
}

export interface Membership {
  conversationId: string;
  userId: string;
  lastReadSeq: number;
  /** Seqs of messages that mention the user, the unread ones at least (`MentionRepository`). */
  mentionSeqs?: number[];
}

export interface SeqPosition {
  lastSeq: number;
  ownSeq: number;
}

export interface InboxPage {
  memberships: Membership[];
  /** Opaque cursor of the next page, absent on the last page. */
  cursor?: string;
}

/** What a membership change came to: done, or refused because the members changed at the same moment. */
export type MembershipOutcome = 'changed' | 'concurrent-change';

/** What creating came to: a new conversation, the pair's existing direct one, or refused by a block either way. */
export type CreateOutcome =
  | { outcome: 'created' | 'existing'; conversationId: string }
  | { outcome: 'blocked' };

/** A member who left a conversation themselves: remembered so that nobody else can add them back. */
export interface Departure {
  conversationId: string;
  userId: string;
  leftAt: string;
  /** The read position when they left, restored if they come back to a direct conversation. */
  lastReadSeq: number;
}

/** Conversations, their members, read positions and the inbox order. */
export interface ConversationRepository {
  /**
   * Creates a conversation with its members; a direct one is created once per user pair, and not at all while
   * either user blocks the other (checked in the same write, so a block and a creation cannot cross).
   */
  create(conversation: NewConversation): Promise<CreateOutcome>;
  get(conversationId: string): Promise<StoredConversation | undefined>;
  getMany(conversationIds: string[]): Promise<Map<string, StoredConversation>>;
  listMembers(conversationId: string): Promise<Member[]>;
  getMember(options: { conversationId: string; userId: string }): Promise<Member | undefined>;
  /** Read positions of (conversation, user) pairs that are memberships, fresh from the table. */
  getMemberships(pairs: { conversationId: string; userId: string }[]): Promise<Membership[]>;
  /** Adds members if the conversation's members version is still the one read. */
  addMembers(options: {
    conversation: StoredConversation;
    userIds: string[];
    now: string;
  }): Promise<MembershipOutcome>;
  /**
   * Removes a member (promoting `successor` to admin in the same change) if the members version still holds;
   * with `departure` (the member leaves by themselves) the departure is remembered in the same change.
   */
  removeMember(options: {
    conversation: StoredConversation;
    userId: string;
    successor?: string;
    departure?: Departure;
  }): Promise<MembershipOutcome>;
  /** The departures of these users from the conversation (those who left by themselves). */
  departures(options: { conversationId: string; userIds: string[] }): Promise<Departure[]>;
  /** Makes a departed member a member again (direct conversations), with the read position they left with. */
  rejoin(options: {
    conversation: StoredConversation;
    departure: Departure;
    now: string;
  }): Promise<MembershipOutcome>;
  inboxPage(options: { userId: string; limit: number; cursor?: string }): Promise<InboxPage>;
  allMemberships(userId: string): Promise<Membership[]>;
  /**
   * What an unread count needs of each conversation and nothing more: its `lastSeq` and `userId`'s last own
   * message in it (`sentSeqs`, 0 when none). Conversations that do not exist are left out.
   */
  seqPositions(conversationIds: string[], userId: string): Promise<Map<string, SeqPosition>>;
  /** Moves a read position forward, never back; answers where it was when it moved, undefined when it did not. */
  advanceRead(options: { conversationId: string; userId: string; seq: number }): Promise<number | undefined>;
  /** Moves a member's inbox entry to `lastActivityAt`, if that is later than where it is. */
  touchInbox(options: { conversationId: string; userId: string; lastActivityAt: string }): Promise<void>;
}

/** What a member's unread count in a conversation is made of. */
export interface ReadPosition {
  conversationId: string;
  lastSeq: number;
  /** The later of the member's marked position (`lastReadSeq`) and their own last message. */
  readSeq: number;
}

/**
 * The read positions behind unread counts, and the changes that move them. DynamoDB is the source of truth: its
 * adapter reads every membership and `lastSeq` each time and has nothing to do on a change; a cache is told each
 * change after DynamoDB took it, applies it only if it moves a value forward (so a retry or a redelivered stream
 * record changes nothing) and never fails the use case for it.
 */
export interface UnreadIndex {
  /** The user's position in each conversation they are a member of (conversations that do not exist left out). */
  positions(userId: string): Promise<ReadPosition[]>;
  /** The conversation's `lastSeq` reached `seq` (its reservation; the stream tells it again). */
  advanced(options: { conversationId: string; seq: number }): Promise<void>;
  /** A member's read position reached `seq` (a read mark, or their own message). */
  readTo(options: { conversationId: string; userId: string; seq: number }): Promise<void>;
  /** Users became members at read position `seq` (0 when created or added; a rejoin's where they left). */
  joined(options: { conversationId: string; userIds: string[]; seq: number }): Promise<void>;
  /** A member left or was removed. */
  left(options: { conversationId: string; userId: string }): Promise<void>;
}

/** The message fields a seq reservation records as the conversation's last message, before the seq is known. */
type LastMessageDraft = Omit<Message, 'seq' | 'messageId'> & {
  /** The part of the message id after its seq (`messageIdFor`). */
  unique: string;
};

/** What reserving the next seq came to, with the conversation as it stands after a reservation. */
export type SeqReservation =
  | { outcome: 'reserved'; seq: number; conversation: StoredConversation }
  | { outcome: 'membership-changed' }
  | { outcome: 'blocked' }
  /** The conversation's last reservation is this send's own: a retry racing its first try. */
  | { outcome: 'racing' }
  | { outcome: 'gone' };

/**
 * A send, recorded before anything is delivered: its idempotency key (conversation, sender, clientMessageId) and
 * everything needed to store and deliver the message, so the stream completes a send whose function died.
 */
export interface SendIntent {
  message: Message;
  membersVersion: number;
  /** The sending socket, which gets `message.ack` and so is skipped by the deliveries. */
  senderConnectionId?: string;
  /** Epoch ms after which the sending function neither stores nor delivers it: the stream completes it then. */
  completeBy: number;
  /** Epoch seconds after which the message may be deleted (retention), if any. */
  expiresAt?: number;
}

/** A message to store, and who delivered or delivers it. */
export interface StoredSend extends Omit<SendIntent, 'completeBy'> {
  /** `direct`: the sending function already delivered it, so the stream consumer posts nothing. */
  delivery: 'direct' | 'stream';
  /** Whether this message moves the members' inbox index (the fan-out does it). */
  moveInbox: boolean;
}

export interface MessagePage {
  items: Message[];
  hasMore: boolean;
}

/** Messages, their per-conversation order and send idempotency. */
export interface MessageRepository {
  /**
   * Takes the conversation's next seq for a member's send if the members version is still `membersVersion`, the
   * sender is not a refused sender of the conversation and, unless `sameSendAgain`, the last reservation was not
   * this same send's (sender and clientMessageId); records the draft as its last message and, with
   * `marksSenderRead`, the sender's own read position at that seq.
   */
  reserveSeq(options: {
    conversationId: string;
    senderId: string;
    membersVersion: number;
    draft: LastMessageDraft;
    marksSenderRead: boolean;
    /** The send's first try reserved and died before recording its intent: take another seq after all. */
    sameSendAgain: boolean;
  }): Promise<SeqReservation>;
  /** Records a send's intent unless one with the same key exists (`duplicate`). */
  recordIntent(intent: SendIntent): Promise<'recorded' | 'duplicate'>;
  /** The intent an earlier send with this key recorded; eventually consistent unless `consistent`. */
  findIntent(options: {
    conversationId: string;
    senderId: string;
    clientMessageId: string;
    consistent: boolean;
  }): Promise<SendIntent | undefined>;
  /** Stores the message of an intent; answers false when it was stored already (by the other path). */
  store(send: StoredSend): Promise<boolean>;
  /** Moves the conversation's inbox mark from `from` to `to`; answers false if another send moved it first. */
  moveInboxMark(options: { conversationId: string; from: string; to: string }): Promise<boolean>;
  /** Strongly consistent unless `consistent: false` (then a missing message may just not be visible yet). */
  get(options: { conversationId: string; seq: number; consistent?: boolean }): Promise<Message | undefined>;
  /** The messages at these places (of any conversations) that exist, eventually consistent, in any order. */
  getMany(places: { conversationId: string; seq: number }[]): Promise<Message[]>;
  page(options: {
    conversationId: string;
    limit: number;
    before?: number;
    after?: number;
  }): Promise<MessagePage>;
  /** Edits or soft-deletes the author's message unless it was deleted; answers the stored result. */
  update(options: {
    conversationId: string;
    seq: number;
    authorId: string;
    change: { body: string; editedAt: string } | { deletedAt: string };
  }): Promise<Message | undefined>;
  /** A moderator's removal of any member's message unless it was deleted; answers the removed message. */
  remove(options: { conversationId: string; seq: number; removedAt: string }): Promise<Message | undefined>;
  /** Shows an edited or deleted message as the conversation's last message if it is that one. */
  refreshLastMessage(message: Message): Promise<void>;
  /**
   * Shows an attachment's preview on the message naming it (`hasThumbnail`, the image's size), a change the
   * stream delivers as `message.updated`; `not-stored` when there is no message at that seq yet, `deleted` when
   * it was deleted (its attachments with it).
   */
  showPreview(options: {
    conversationId: string;
    seq: number;
    attachmentId: string;
    preview: ImageSize;
  }): Promise<'shown' | 'not-stored' | 'deleted'>;
}

export interface LiveConnection {
  userId: string;
  connectionId: string;
  /** When the connection's presence expires unless renewed (its socket may stay open past it). */
  expiresAtMs: number;
}

export interface UserSessions {
  userId: string;
  /** Connections that may still be open: everything delivered to the user goes to these. */
  connections: LiveConnection[];
  /** Whether any connection's presence has not expired: an expired one counts as gone for presence. */
  online: boolean;
  lastSeenAt: string | null;
}

/** Users' live connections, from which presence is derived. */
export interface SessionRepository {
  /**
   * Records or renews a connection; answers whether the user was online before (this one included), and the
   * connections it displaced: past `maxConnections`, the user's least recently renewed ones are forgotten.
   */
  putConnection(options: {
    userId: string;
    connectionId: string;
    expiresAtMs: number;
    nowMs: number;
    maxConnections: number;
  }): Promise<{ wasOnline: boolean; displaced: LiveConnection[] }>;
  /** Forgets a connection; answers whether the user is still online through another. */
  removeConnection(options: {
    userId: string;
    connectionId: string;
    nowMs: number;
  }): Promise<{ stillOnline: boolean }>;
  /** Eventually consistent unless `consistent` (a suspension must see a connection recorded just before). */
  getMany(
    userIds: string[],
    nowMs: number,
    options?: { consistent?: boolean },
  ): Promise<Map<string, UserSessions>>;
}

/** Forgets connections `@connections` answered 410 Gone for: the sender's pruning, beside the use cases' port. */
export interface GoneConnectionPruner {
  /**
   * Forgets the connection unless it was recorded or renewed after `renewedBeforeMs` (its presence then expires
   * later than `renewedBeforeMs + ttlMs`): a connection that has just run `$connect` answers 410 until its
   * handshake completes, and must not be forgotten for it.
   */
  removeGoneConnection(options: {
    userId: string;
    connectionId: string;
    renewedBeforeMs: number;
    ttlMs: number;
  }): Promise<void>;
}

/** Where connections and presence are kept: what the use cases ask, and the sender's pruning. */
export type SessionStore = SessionRepository & GoneConnectionPruner;

/**
 * Member lists shared by every container (Valkey), in front of `listMembers`: each stored with the members version
 * it was read at and answered only for that version. Best effort: a failure reads as a miss.
 */
export interface SharedMemberLists {
  get(conversationId: string, membersVersion: number): Promise<Member[] | undefined>;
  set(conversationId: string, membersVersion: number, members: Member[]): Promise<void>;
  /** The conversation's members changed: its list is read afresh by the next reader. */
  forget(conversationId: string): Promise<void>;
}

/** Typing signals, which expire by themselves. */
export interface TypingRepository {
  /**
   * Records typing until `expiresAtMs` and answers true (broadcast it), unless a signal was broadcast within the
   * coalescing window: then nothing is written (that signal's expiry stands) and it answers false.
   */
  start(options: {
    conversationId: string;
    userId: string;
    nowMs: number;
    expiresAtMs: number;
    coalesceMs: number;
  }): Promise<boolean>;
  /** Clears a typing signal; answers whether one was live (and so whether to broadcast the stop). */
  stop(options: { conversationId: string; userId: string; nowMs: number }): Promise<boolean>;
}

/**
 * What a rate limit answered: a token was taken, or the user is over the limit; `refused-again` when this
 * limiter already refused the same user and bucket in this minute (so the refusal need not be told again).
 */
export type RateDecision = 'taken' | 'refused' | 'refused-again';

/** Who blocks whom. Blocking is one-way; most of its effects apply both ways (see `shared/domain/blocks.ts`). */
export interface BlockRepository {
  /**
   * Records the block (again is a no-op) unless the blocker already blocks `maxBlocks` users; the blocked user
   * becomes a refused sender of the pair's direct conversation (`blockedSenders`), in the same write.
   */
  block(options: {
    blockerId: string;
    blockedId: string;
    at: string;
    maxBlocks: number;
  }): Promise<'blocked' | 'limit-reached'>;
  /** Lifts a block (none is a no-op), and the blocked user's refusal as a sender in their direct conversation. */
  unblock(options: { blockerId: string; blockedId: string }): Promise<void>;
  /** The users `blockerId` blocks, by id. */
  listBlocked(blockerId: string): Promise<string[]>;
  /** Everyone in a block with the user: those the user blocks and those who block the user. */
  relationsOf(userId: string): Promise<{ blocks: Set<string>; blockedBy: Set<string> }>;
}

/** Per-user rate limits, per bucket and clock minute. */
export interface RateLimiter {
  take(options: { userId: string; bucket: string; perMinute: number; nowMs: number }): Promise<RateDecision>;
}

export interface DeliveryReport {
  delivered: number;
  pruned: number;
  failed: number;
  retries: number;
}

/** Delivers events to users' connections. */
export interface Notifier {
  sessionsOf(userIds: string[]): Promise<Map<string, UserSessions>>;
  /** Every connection of these users. */
  toUsers(userIds: string[], event: ServerEvent): Promise<DeliveryReport>;
  toConnections(connections: LiveConnection[], event: ServerEvent): Promise<DeliveryReport>;
  /** A direct answer to the socket that asked (ack, pong, error). */
  toConnection(options: { userId: string; connectionId: string }, event: ServerEvent): Promise<void>;
}

/** A connection whose token expires at `tokenExpiresAtMs`: it must stop working then. */
export interface ExpiringConnection {
  userId: string;
  connectionId: string;
  tokenExpiresAtMs: number;
}

/** Connections by when their tokens expire, so that a sweep reads only the ones due, never every connection. */
export interface ConnectionExpiryRepository {
  /** Records when the connection's token expires (at `$connect`). */
  schedule(connection: ExpiringConnection): Promise<void>;
  /** Forgets the connection (it closed, or it was closed). */
  forget(connection: Omit<ExpiringConnection, 'userId'>): Promise<void>;
  /** The connections whose tokens expired in `[fromMs, toMs)`. */
  expiredBetween(options: { fromMs: number; toMs: number }): Promise<ExpiringConnection[]>;
}

/** Closes connections from the server side (API Gateway then runs their `$disconnect`). */
export interface ConnectionCloser {
  /** Closes the connection; one already gone is no error. */
  close(connectionId: string): Promise<void>;
}

/**
 * The connections that recording `connectionId` displaces: past `maxConnections` (this one included), the least
 * recently renewed of the others.
 */
export function displacedBy(
  connections: LiveConnection[],
  connectionId: string,
  maxConnections: number,
): LiveConnection[] {
  const others = connections
    .filter((connection) => connection.connectionId !== connectionId)
    .sort((a, b) => a.expiresAtMs - b.expiresAtMs);
  return others.slice(0, Math.max(0, others.length - Math.max(0, maxConnections - 1)));
}

/** A user's session record outlives their connections so `lastSeenAt` stays known; then it expires by itself. */
export const sessionRecordLifetimeMs = 30 * 24 * 3600 * 1000;

/**
 * Whether a connection whose presence expires at `expiresAtMs` may still be open, and so is delivered to:
 * presence may expire, delivery may not, until the connection is older than any can be.
 */
export const connectionMayBeOpen = (expiresAtMs: number, nowMs: number) =>
  expiresAtMs + limits.maxConnectionAgeMs > nowMs;

/** A user's sessions from what a backend recorded: the connections that may be open, online while any is fresh. */
export function userSessions(
  userId: string,
  recorded: LiveConnection[],
  lastSeenAt: string | null,
  nowMs: number,
): UserSessions {
  const connections = recorded.filter((c) => connectionMayBeOpen(c.expiresAtMs, nowMs));
  return { userId, connections, online: connections.some((c) => c.expiresAtMs > nowMs), lastSeenAt };
}

/** The connections of these sessions that get an event, without the one that must not (the sender's). */
export function connectionsOf(
  sessions: Map<string, UserSessions>,
  exceptConnectionId?: string,
): LiveConnection[] {
  return [...sessions.values()]
    .flatMap((session) => session.connections)
    .filter((connection) => connection.connectionId !== exceptConnectionId);
}

/** The push services a device registers with: Apple's (APNs) and Firebase Cloud Messaging (FCM). */
export type PushPlatform = 'apns' | 'fcm';

/** A device that receives pushes; its token never leaves the backend. */
export interface Device {
  userId: string;
  deviceId: string;
  platform: PushPlatform;
  token: string;
  createdAt: string;
  /** Where the push sender reaches it (an SNS endpoint ARN), once known. */
  endpoint?: string;
  /** The device registered its token again since `endpoint` was checked: check (and re-enable) it first. */
  endpointStale?: boolean;
}

/** Devices by user and by token (a token belongs to one user: a new sign-in on the phone moves it). */
export interface DeviceRepository {
  /**
   * Registers the token for the user: the same token again answers its device (`created: false`, marked
   * stale); another user's is moved to this user under `newDeviceId`. Past `maxDevices` the user's oldest
   * devices are forgotten.
   */
  register(options: {
    userId: string;
    platform: PushPlatform;
    token: string;
    newDeviceId: string;
    now: string;
    maxDevices: number;
  }): Promise<{ device: Device; created: boolean }>;
  list(userId: string): Promise<Device[]>;
  /** Forgets one of the user's devices; answers false when the user has no such device. */
  remove(options: { userId: string; deviceId: string }): Promise<boolean>;
  /** Records where the sender reaches the device, and that it was checked. */
  setEndpoint(options: { userId: string; deviceId: string; endpoint: string }): Promise<void>;
  /**
   * Claims the push of message `seq` of the conversation to the device: refused when one was pushed within
   * `collapseMs` or a message at or after `seq` was pushed (a redelivered job), so each device gets at most one
   * push per conversation per window, and never the same message twice.
   */
  claimPush(options: {
    userId: string;
    deviceId: string;
    conversationId: string;
    seq: number;
    nowMs: number;
    collapseMs: number;
  }): Promise<boolean>;
  /** Gives back a claim whose push failed, so that the retry may push it. */
  releasePush(options: {
    userId: string;
    deviceId: string;
    conversationId: string;
    seq: number;
  }): Promise<void>;
}

/** Conversations members muted (no push; unread still counts). */
export interface MuteRepository {
  /** Mutes until `until` (ISO time), or until unmuted when absent. */
  mute(options: { conversationId: string; userId: string; until?: string }): Promise<void>;
  unmute(options: { conversationId: string; userId: string }): Promise<void>;
  /** The members who have the conversation muted at `nowMs`. */
  mutedIn(options: { conversationId: string; nowMs: number }): Promise<Set<string>>;
}

/** One message's pushes to do: the members who had no live connection when it was delivered. */
export interface PushJob {
  message: Message;
  recipientIds: string[];
  /** Members (sender excluded) who got it live and so no push: counted by the worker's metrics. */
  onlineCount: number;
}

/** Hands push jobs to the push worker (SQS in AWS); never sends a push itself. */
export interface PushQueue {
  enqueue(jobs: PushJob[]): Promise<void>;
}

export interface PushNotification {
  conversationId: string;
  messageId: string;
  title: string;
  body: string;
  badge: number;
}

/** What a push came to: sent (with the endpoint used), the device's token is dead, or no service is configured. */
export type PushOutcome =
  | { outcome: 'sent'; endpoint: string }
  | { outcome: 'invalid' }
  | { outcome: 'unconfigured' };

/** Sends one push to one device (SNS mobile push in AWS, a recording sink locally). */
export interface PushSender {
  send(device: Device, notification: PushNotification): Promise<PushOutcome>;
}
