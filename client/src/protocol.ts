/** The shapes of PROTOCOL.md as a client sees them. */

export interface Message {
  conversationId: string;
  messageId: string;
  /** Position in the conversation: 1, 2, 3, ... with no holes (deleted messages keep theirs). */
  seq: number;
  senderId: string;
  body: string;
  clientMessageId: string;
  createdAt: string;
  editedAt?: string;
  deletedAt?: string;
  /** Set when a moderator removed the message (it is then deleted too). */
  removedBy?: 'moderator';
  /** Files the sender attached; download one with `GET /conversations/{id}/attachments/{attachmentId}`. */
  attachments?: MessageAttachment[];
  /** The message this one answers, as it was when the reply was sent. */
  replyTo?: ReplyQuote;
  /** Members the message mentions. */
  mentions?: string[];
  /** Present once anyone reacted; changes arrive as `message.reactions`. */
  reactions?: ReactionCount[];
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
  /** The most recent reactors, newest first, at most 20. */
  userIds: string[];
}

export interface MessageAttachment {
  attachmentId: string;
  fileName: string;
  contentType: string;
  size: number;
  width?: number;
  height?: number;
  hasThumbnail: boolean;
}

export type ConversationType = 'direct' | 'group';

export interface Member {
  userId: string;
  role: 'admin' | 'member';
  joinedAt: string;
  lastReadSeq: number;
}

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

export interface InboxPage {
  items: InboxEntry[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  cursor?: string | null;
}

export interface MessagePage {
  items: Message[];
  hasMore: boolean;
}

export interface Presence {
  userId: string;
  status: 'online' | 'offline';
  lastSeenAt: string | null;
}

export interface UnreadSummary {
  total: number;
  conversations: { conversationId: string; count: number }[];
}

export interface ReadPosition {
  conversationId: string;
  seq: number;
  unreadCount: number;
}

export interface TypingEvent {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}

export interface ReadEvent {
  conversationId: string;
  userId: string;
  seq: number;
}

export interface UnreadEvent {
  conversationId: string;
  count: number;
  total: number;
}

/** A message's reactions changed: all of them after the change. */
export interface MessageReactionsEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  reactions: ReactionCount[];
}

export interface MessageDeletedEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  /** Set when a moderator removed the message rather than its author deleting it. */
  removedBy?: 'moderator';
}

export type ReportReason = 'spam' | 'abuse' | 'sexual' | 'violence' | 'other';
export type ReportStatus = 'open' | 'resolved';
/** What a moderator did about a report. */
export type ResolutionAction = 'dismissed' | 'removed' | 'suspended';

/** A member's report of a message (`note`: up to 1000 characters, for the moderators). */
export interface NewReport {
  reason: ReportReason;
  note?: string;
}

/** All reports of one message, as moderators list them (never who reported it). */
export interface Report {
  reportId: string;
  conversationId: string;
  messageId: string;
  reportedUserId: string;
  reporterCount: number;
  reasons: ReportReason[];
  firstReportedAt: string;
  status: ReportStatus;
  resolution?: { action: ResolutionAction; by: string; at: string };
  /** The message as it is now; `null` once it expired. */
  message: Message | null;
}

export interface ReportPage {
  items: Report[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  cursor: string | null;
}

/** An `error` frame; `clientMessageId` or `action` say which request failed when the server knows. */
export interface ServerError {
  code: string;
  message: string;
  clientMessageId?: string;
  action?: string;
}

/** Every frame the server sends (PROTOCOL.md "WebSocket: server → client"). */
export type ServerFrame =
  | { type: 'message.ack'; clientMessageId: string; message: Message }
  | { type: 'message.new'; message: Message }
  | { type: 'message.updated'; message: Message }
  | ({ type: 'message.reactions' } & MessageReactionsEvent)
  | ({ type: 'message.deleted' } & MessageDeletedEvent)
  | ({ type: 'typing'; expiresAt: string } & TypingEvent)
  | ({ type: 'presence' } & Presence)
  | ({ type: 'read' } & ReadEvent)
  | ({ type: 'unread' } & UnreadEvent)
  | { type: 'conversation.updated'; conversation: ConversationWithMembers }
  | { type: 'pong'; at: string; heartbeatIntervalSeconds: number }
  | ({ type: 'error' } & ServerError);

/** What a message may carry beside its text. */
export interface SendOptions {
  /** The `messageId` of a message of the same conversation this one answers (quoted as `replyTo`). */
  replyTo?: string;
  /** Members to mention (at most 20, each once): they get a push even when they muted the conversation. */
  mentions?: string[];
  /** Uploads of the sender to this conversation (`uploadAttachment`), at most 10; `body` may then be empty. */
  attachmentIds?: string[];
}

/** Every frame the client sends (PROTOCOL.md "WebSocket: client → server"). */
export type ClientFrame =
  | ({ action: 'sendMessage'; conversationId: string; clientMessageId: string; body: string } & SendOptions)
  | { action: 'typing'; conversationId: string; isTyping: boolean }
  | { action: 'markRead'; conversationId: string; seq: number }
  | { action: 'heartbeat'; reply?: boolean };
