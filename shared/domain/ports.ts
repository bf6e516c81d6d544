/**
 * The ports of the domain: what the use cases need from storage and delivery, in the domain's own terms. The
 * adapters (`shared/store/`, `shared/realtime/`) implement them; the domain never imports an adapter, so a test
 * can hand a use case an in-memory fake and another backend can stand in for DynamoDB.
 */
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
}

export interface InboxPage {
  memberships: Membership[];
  /** Opaque cursor of the next page, absent on the last page. */
  cursor?: string;
}

/** What a membership change came to: done, or refused because the members changed at the same moment. */
export type MembershipOutcome = 'changed' | 'concurrent-change';

/** Conversations, their members, read positions and the inbox order. */
export interface ConversationRepository {
  /** Creates a conversation with its members; a direct one is created once per user pair. */
  create(conversation: NewConversation): Promise<{ created: boolean; conversationId: string }>;
  get(conversationId: string): Promise<StoredConversation | undefined>;
  getMany(conversationIds: string[]): Promise<Map<string, StoredConversation>>;
  listMembers(conversationId: string): Promise<Member[]>;
  getMember(options: { conversationId: string; userId: string }): Promise<Member | undefined>;
  /** Adds members if the conversation's members version is still the one read. */
  addMembers(options: {
    conversation: StoredConversation;
    userIds: string[];
    now: string;
  }): Promise<MembershipOutcome>;
  /** Removes a member (promoting `successor` to admin in the same change) if the members version still holds. */
  removeMember(options: {
    conversation: StoredConversation;
    userId: string;
    successor?: string;
  }): Promise<MembershipOutcome>;
  inboxPage(options: { userId: string; limit: number; cursor?: string }): Promise<InboxPage>;
  allMemberships(userId: string): Promise<Membership[]>;
  /** Moves a read position forward, never back; answers whether it moved. */
  advanceRead(options: { conversationId: string; userId: string; seq: number }): Promise<boolean>;
  /** Moves a member's inbox entry to `lastActivityAt`, if that is later than where it is. */
  touchInbox(options: { conversationId: string; userId: string; lastActivityAt: string }): Promise<void>;
}

export interface AppendInput {
  message: Message;
  /** The conversation's `lastSeq` the new seq follows and its members version when read. */
  expectedLastSeq: number;
  expectedMembersVersion: number;
  /** The sending socket, which gets `message.ack` and so is skipped by the fan-out. */
  senderConnectionId?: string;
  /** Whether this message moves the members' inbox index (the fan-out does it) and so the conversation's mark. */
  moveInbox: boolean;
  /** Epoch seconds after which the message may be deleted (retention), if any. */
  expiresAt?: number;
}

export type AppendOutcome =
  | { outcome: 'stored' }
  | { outcome: 'duplicate' }
  | { outcome: 'seq-taken' }
  | { outcome: 'membership-changed' };

export interface MessagePage {
  items: Message[];
  hasMore: boolean;
}

/** Messages, their per-conversation order and send idempotency. */
export interface MessageRepository {
  /** Stores a message at `expectedLastSeq + 1`; exactly one of concurrent senders wins each seq. */
  append(input: AppendInput): Promise<AppendOutcome>;
  findBySendKey(options: {
    conversationId: string;
    senderId: string;
    clientMessageId: string;
  }): Promise<Message | undefined>;
  get(options: { conversationId: string; seq: number }): Promise<Message | undefined>;
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
  /** Shows an edited or deleted message as the conversation's last message if it is that one. */
  refreshLastMessage(message: Message): Promise<void>;
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
  /** Records or renews a connection; answers whether the user was online before (this one included). */
  putConnection(options: {
    userId: string;
    connectionId: string;
    expiresAtMs: number;
    nowMs: number;
  }): Promise<{ wasOnline: boolean }>;
  /** Forgets a connection; answers whether the user is still online through another. */
  removeConnection(options: {
    userId: string;
    connectionId: string;
    nowMs: number;
  }): Promise<{ stillOnline: boolean }>;
  getMany(userIds: string[], nowMs: number): Promise<Map<string, UserSessions>>;
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

/** Per-user rate limits. */
export interface RateLimiter {
  /** Takes one token of `bucket` for the current minute; answers false when the user is over the limit. */
  take(options: { userId: string; bucket: string; perMinute: number; nowMs: number }): Promise<boolean>;
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

/** The connections of these sessions that get an event, without the one that must not (the sender's). */
export function connectionsOf(
  sessions: Map<string, UserSessions>,
  exceptConnectionId?: string,
): LiveConnection[] {
  return [...sessions.values()]
    .flatMap((session) => session.connections)
    .filter((connection) => connection.connectionId !== exceptConnectionId);
}
