/** The shapes clients see (PROTOCOL.md). */

export interface Message {
  conversationId: string;
  messageId: string;
  seq: number;
  senderId: string;
  body: string;
  clientMessageId: string;
  createdAt: string;
  editedAt?: string;
  deletedAt?: string;
  /** Set when a moderator removed the message (it is then also deleted). */
  removedBy?: 'moderator';
  /** The message this one answers, as it was when the reply was sent (README "Rich messages"). */
  replyTo?: ReplyQuote;
  /** Members the message mentions. */
  mentions?: string[];
  /** Present once anyone reacted; read back beside the message, never stored on it. */
  reactions?: ReactionCount[];
  /** The files the sender attached (uploaded first, `POST .../attachments`); gone once the message is deleted. */
  attachments?: MessageAttachment[];
}

/** What a message shows of one of its attachments. */
export interface MessageAttachment {
  attachmentId: string;
  fileName: string;
  contentType: string;
  /** Bytes, as stored. */
  size: number;
  width?: number;
  height?: number;
  hasThumbnail: boolean;
}

export interface ReplyQuote {
  messageId: string;
  seq: number;
  senderId: string;
  /** The start of the quoted body when the reply was sent; empty once the quoted message is deleted. */
  preview: string;
}

export interface ReactionCount {
  emoji: string;
  count: number;
  /** The most recent reactors, newest first, at most `limits.maxRecentReactors`. */
  userIds: string[];
}

export type ConversationType = 'direct' | 'group';
export type MemberRole = 'admin' | 'member';

export interface Member {
  userId: string;
  role: MemberRole;
  joinedAt: string;
  lastReadSeq: number;
}

/** A conversation as clients see it. */
export interface Conversation {
  conversationId: string;
  type: ConversationType;
  name?: string;
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  lastActivityAt: string;
  memberCount: number;
}

/** What the table keeps of a conversation: the clients' view plus bookkeeping that never reaches a client. */
export interface StoredConversation extends Conversation {
  /** The activity time the members' inbox index was last moved to (see `limits.inboxIndexResolutionSeconds`). */
  inboxIndexedAt: string;
  lastMessage?: Message;
  /** Bumped on every membership change; lets caches of the member list know they are stale. */
  membersVersion: number;
  /**
   * Direct conversations: each member's last own message. A send marks everything up to it read, and keeping
   * that here (not on the member item) lets the send write one item fewer.
   */
  sentSeqs: Record<string, number>;
}

/** The clients' view of a stored conversation: exactly the protocol's fields, whatever the table keeps. */
export function conversationView(stored: StoredConversation): Conversation {
  const { conversationId, type, name, createdBy, createdAt, lastSeq, lastActivityAt, memberCount } = stored;
  return {
    conversationId,
    type,
    ...(name === undefined ? {} : { name }),
    createdBy,
    createdAt,
    lastSeq,
    lastActivityAt,
    memberCount,
  };
}

export interface ConversationWithMembers extends Conversation {
  members: Member[];
}

export interface InboxEntry {
  conversation: Conversation;
  lastMessage: Message | null;
  unreadCount: number;
  /** Unread messages that mention the user. */
  unreadMentions: number;
}

export interface PresenceStatus {
  userId: string;
  status: 'online' | 'offline';
  lastSeenAt: string | null;
}

/** Server → client events (PROTOCOL.md "WebSocket: server → client"). */
export type ServerEvent =
  | { type: 'message.ack'; clientMessageId: string; message: Message }
  | { type: 'message.new'; message: Message }
  | { type: 'message.updated'; message: Message }
  | {
      type: 'message.reactions';
      conversationId: string;
      messageId: string;
      seq: number;
      reactions: ReactionCount[];
    }
  | {
      type: 'message.deleted';
      conversationId: string;
      messageId: string;
      seq: number;
      removedBy?: 'moderator';
    }
  | { type: 'typing'; conversationId: string; userId: string; isTyping: boolean; expiresAt: string }
  | { type: 'presence'; userId: string; status: 'online' | 'offline'; lastSeenAt: string | null }
  | { type: 'read'; conversationId: string; userId: string; seq: number }
  | { type: 'unread'; conversationId: string; count: number; total: number }
  | { type: 'conversation.updated'; conversation: ConversationWithMembers }
  | { type: 'pong'; at: string; heartbeatIntervalSeconds: number }
  | { type: 'error'; code: string; message: string; clientMessageId?: string; action?: string };

/**
 * Whether a member engaged with a conversation: created it, or sent or read in it. Both of the latter move the
 * member's read position (`readPosition`) past 0: a read moves it, and so does a send, to the sender's own
 * message. The read position is the record of engagement, and no other attribute is kept. Presence is shown
 * only through conversations the watched user engaged with.
 */
export function hasEngaged(
  conversation: StoredConversation,
  member: { userId: string; lastReadSeq: number },
): boolean {
  return conversation.createdBy === member.userId || readPosition(conversation, member) > 0;
}

/** Unread = messages after the read position; a sender's own send moves its read position to that message. */
export function unreadCount(lastSeq: number, lastReadSeq: number): number {
  return Math.max(0, lastSeq - lastReadSeq);
}

/** Where a member has read to: their marked position, or their own last message in the conversation if later. */
export function readPosition(
  conversation: StoredConversation,
  member: { userId: string; lastReadSeq: number },
) {
  return Math.max(member.lastReadSeq, conversation.sentSeqs[member.userId] ?? 0);
}
