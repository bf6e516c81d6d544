/**
 * The one DynamoDB table, declared once: the CDK stack and the local runtime both build it from here.
 * Single-table design; every item has generic `pk`/`sk` keys built by `shared/store/keys.ts`.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items lazily, so readers also filter on it. */
  ttlAttribute: 'ttl',
  streamViewType: 'NEW_AND_OLD_IMAGES',
  globalSecondaryIndexes: [
    {
      /** A user's memberships ordered by the conversation's last activity: the inbox. */
      indexName: 'gsi1',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
    },
  ],
} as const;

/** The index of a user's memberships by last activity: the inbox. */
export const inboxIndexName = tableDefinition.globalSecondaryIndexes[0].indexName;

/** The value of the `entity` attribute every item carries; stream filters select on it. */
export const entityTypes = {
  conversation: 'conversation',
  member: 'member',
  message: 'message',
  messageIdempotency: 'message-idempotency',
  directPair: 'direct-pair',
  presence: 'presence',
  typing: 'typing',
  rateLimit: 'rate-limit',
  connectionExpiry: 'connection-expiry',
  departure: 'departure',
  block: 'block',
  blockedBy: 'blocked-by',
  blockCount: 'block-count',
  device: 'device',
  pushToken: 'push-token',
  pushed: 'pushed',
  mute: 'mute',
  /** One user's reaction with one emoji to one message. */
  reaction: 'reaction',
  /** A message's reaction counts and recent users. */
  reactionSummary: 'reaction-summary',
  /** Reports of one message, grouped: what moderators list and resolve. */
  report: 'report',
  /** One user's report of a message (a user reports a message once). */
  reporter: 'reporter',
  /** The pointer from a reported message to its report group. */
  reportedMessage: 'reported-message',
  suspension: 'suspension',
  /** A moderator action: appended, never changed. */
  audit: 'audit',
  /** An issued attachment upload (pending, then attached to one message). */
  attachment: 'attachment',
} as const;

/**
 * Filter criteria of the fan-out event source mapping, used verbatim by CDK and by the local stream poller:
 * inserted or changed messages, and recorded sends (intents), which the consumer completes if their function died.
 */
export const fanOutFilterPatterns = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { entity: { S: [entityTypes.message] } } },
  },
  {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { entity: { S: [entityTypes.messageIdempotency] } } },
  },
] as const;

/**
 * Filter criteria of the domain-event publisher's own event source mapping (a second consumer of the stream),
 * used verbatim by CDK and by the local stream poller: messages, report groups and suspensions, inserted or
 * changed. Which of those changes make an event is the domain's to decide (`shared/domain/events.ts`).
 */
export const eventPublisherFilterPatterns = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      NewImage: { entity: { S: [entityTypes.message, entityTypes.report, entityTypes.suspension] } },
    },
  },
] as const;
