/** Limits of the protocol, documented in the README's Limits section. */
export const limits = {
  /** Largest WebSocket frame or HTTP body accepted, well under API Gateway's 32 KB frame. */
  maxPayloadBytes: 16 * 1024,
  /** Largest message body (UTF-8 bytes, after trimming). */
  maxMessageBodyBytes: 4 * 1024,
  /** Pattern of user ids (token `sub`) and other client-chosen ids: no `#`, so no key can be forged. */
  idPattern: /^[A-Za-z0-9_.:@|-]{1,128}$/,
  maxGroupNameLength: 100,
  maxGroupMembers: 256,
  /** Members added in one request (one DynamoDB transaction). */
  maxMembersPerAdd: 50,
  defaultPageLimit: 50,
  maxPageLimit: 100,
  maxPresenceIds: 100,
  /** Users one user may block (each block is two small items; `GET /blocks` answers them in one list). */
  maxBlocksPerUser: 1_000,
  /** A reporter's note, and a moderator's reason for a removal or a suspension (characters). */
  maxReportNoteLength: 1_000,
  maxModerationReasonLength: 500,
  /** Push devices one user may register; registering one more forgets their oldest. */
  maxDevicesPerUser: 10,
  /** Users told about one user's presence change, so huge groups cannot cause an unbounded broadcast. */
  maxPresenceRecipients: 500,
  /**
   * The inbox index of a conversation's members moves at most this often: a busy group costs one write per member
   * a minute, not per message. Each page is re-sorted by exact activity, so only page boundaries can lag.
   */
  inboxIndexResolutionSeconds: 60,
  /** Most recently active conversations whose members hear a user's presence change. */
  presenceConversations: 25,
  /**
   * Most recently active conversations searched for the users a GET /presence asks about: a user's presence is
   * visible only to someone sharing one of these with them.
   */
  presenceVisibilityConversations: 100,
  /**
   * API Gateway's maximum connection duration: a connection last renewed longer ago than this is closed, so it is
   * never delivered to again, even where `@connections` never answers 410.
   */
  maxConnectionAgeMs: 2 * 3600 * 1000,
  /**
   * How long after recording a send's intent its function may still deliver and store it; past this the stream
   * consumer stores an intent whose message is missing and delivers it (a function that died mid-send).
   */
  sendCompletionMs: 10_000,
  /** How soon after its intent a live send has usually stored its message: the stream consumer looks then. */
  usualSendStoreMs: 200,
  /** Attachments one message may name. */
  maxAttachmentsPerMessage: 10,
  /** A sanitised attachment file name is cut to this many characters (its extension kept). */
  maxAttachmentFileNameLength: 200,
  /** How long an upload form is valid (the presigned POST's expiration). */
  attachmentUploadSeconds: 900,
  /** How long a download link is valid (the presigned GET behind the 302). */
  attachmentDownloadSeconds: 300,
  /** An upload no message named within this many days is removed (the bucket's lifecycle rule, the record's TTL). */
  pendingAttachmentDays: 1,
  /** An image's preview fits within this many pixels each way (WebP). */
  previewMaxPixels: 320,
  /** Images of more pixels than this (about 7,000 × 7,000) get no preview: decoding them would take too long. */
  previewMaxInputPixels: 50_000_000,
  /** Distinct emoji on one message (README "Rich messages"); a new one past it is `validation_failed`. */
  maxReactionEmojiPerMessage: 50,
  /** Reactions (distinct emoji) one user may put on one message. */
  maxReactionsPerUserPerMessage: 20,
  /** Users listed with each emoji of a message's reactions: the most recent ones. */
  maxRecentReactors: 20,
  /** Users one message may mention. */
  maxMentionsPerMessage: 20,
  /** Characters of the quoted body a reply keeps (`replyTo.preview`). */
  replyPreviewChars: 100,
} as const;
