/**
 * Key builders of the single table. Ids never contain `#` (see `limits.idPattern`), so a client-chosen id
 * cannot address another item type.
 */

const seqWidth = 12;

export const padSeq = (seq: number) => String(seq).padStart(seqWidth, '0');

/** The parts of a connection-expiry key, which a sweep's query names too. */
export const keysOfExpiry = {
  partition: (minute: number) => `CONNEXP#${minute}`,
  /** Fixed width, so that the sort key orders by time. */
  time: (ms: number) => String(ms).padStart(15, '0'),
};

export const keys = {
  conversation: (conversationId: string) => ({ pk: `CONV#${conversationId}`, sk: 'META' }),
  member: (conversationId: string, userId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `MEMBER#${userId}`,
  }),
  memberPrefix: 'MEMBER#',
  message: (conversationId: string, seq: number) => ({
    pk: `CONV#${conversationId}`,
    sk: `MSG#${padSeq(seq)}`,
  }),
  messagePrefix: 'MSG#',
  messageIdempotency: (conversationId: string, senderId: string, clientMessageId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `CMID#${senderId}#${clientMessageId}`,
  }),
  directPair: (userA: string, userB: string) => {
    const [first, second] = [userA, userB].sort();
    return { pk: `DIRECT#${first}#${second}`, sk: 'DIRECT' };
  },
  typing: (conversationId: string, userId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `TYPING#${userId}`,
  }),
  /** A member who left a conversation (not one an admin removed): they cannot be added back by others. */
  departure: (conversationId: string, userId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `LEFT#${userId}`,
  }),
  presence: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PRESENCE' }),
  /** `blocker` blocks `blocked`: kept under the blocker, mirrored under the blocked user (`blockedBy`). */
  block: (blockerId: string, blockedId: string) => ({ pk: `USER#${blockerId}`, sk: `BLOCK#${blockedId}` }),
  blockPrefix: 'BLOCK#',
  blockedBy: (blockedId: string, blockerId: string) => ({
    pk: `USER#${blockedId}`,
    sk: `BLOCKED-BY#${blockerId}`,
  }),
  /** Begins both `BLOCK#` and `BLOCKED-BY#`, so one Query reads a user's blocks either way. */
  blockRelationPrefix: 'BLOCK',
  /** How many users a user blocks, so the limit holds under concurrent blocks. */
  blockCount: (userId: string) => ({ pk: `USER#${userId}`, sk: 'COUNT#blocks' }),
  /**
   * A connection under the minute its token expires, ordered by that time: a sweep queries the minutes due and
   * reads only the connections whose time has come.
   */
  connectionExpiry: (tokenExpiresAtMs: number, connectionId: string) => ({
    pk: keysOfExpiry.partition(Math.floor(tokenExpiresAtMs / 60_000)),
    sk: `${keysOfExpiry.time(tokenExpiresAtMs)}#${connectionId}`,
  }),
  /** A push device under its user; its token is kept once more under the token (`pushToken`), which names it. */
  device: (userId: string, deviceId: string) => ({ pk: `USER#${userId}`, sk: `DEVICE#${deviceId}` }),
  devicePrefix: 'DEVICE#',
  /** A push token's owner, keyed by a hash of the token (tokens are long and may hold any character). */
  pushToken: (platform: string, tokenHash: string) => ({
    pk: `PUSHTOKEN#${platform}#${tokenHash}`,
    sk: 'TOKEN',
  }),
  /** The last push to a device for a conversation: collapses pushes and stops a redelivered job pushing twice. */
  pushed: (userId: string, deviceId: string, conversationId: string) => ({
    pk: `USER#${userId}`,
    sk: `PUSHED#${deviceId}#${conversationId}`,
  }),
  /** One user's reaction with one emoji (its `emojiKey`) to the message at `seq`; a user's sort together. */
  reaction: (conversationId: string, seq: number, userId: string, emojiKey: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `REACTION#${padSeq(seq)}#${userId}#${emojiKey}`,
  }),
  reactionsOfUser: (seq: number, userId: string) => `REACTION#${padSeq(seq)}#${userId}#`,
  /** A message's reaction counts and recent users, beside its messages and never on the message item. */
  reactionSummary: (conversationId: string, seq: number) => ({
    pk: `CONV#${conversationId}`,
    sk: `REACTIONS#${padSeq(seq)}`,
  }),
  /** A member's mute of a conversation: its own small item, so muting never rewrites the inbox index. */
  mute: (conversationId: string, userId: string) => ({ pk: `CONV#${conversationId}`, sk: `MUTE#${userId}` }),
  mutePrefix: 'MUTE#',
  /** An upload issued to a member: who may name it in a message, what it must be, and whether one did. */
  attachment: (conversationId: string, attachmentId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `ATTACH#${attachmentId}`,
  }),
  /** A report group (all reports of one message), under its id. */
  report: (reportId: string) => ({ pk: `REPORT#${reportId}`, sk: 'REPORT' }),
  /** One user's report in a group: it makes a second report by the same user a no-op. */
  reporter: (reportId: string, userId: string) => ({ pk: `REPORT#${reportId}`, sk: `BY#${userId}` }),
  /** Which report group a message has, beside the message (a message has at most one group). */
  reportedMessage: (conversationId: string, messageId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `REPORTED#${messageId}`,
  }),
  /** Report groups by status on the inbox index, ordered by when each was first reported (oldest first). */
  reportQueue: (status: string, firstReportedAt: string, reportId: string) => ({
    gsi1pk: `REPORTS#${status}`,
    gsi1sk: `${firstReportedAt}#${reportId}`,
  }),
  reportQueuePartition: (status: string) => `REPORTS#${status}`,
  /** A user's suspension, if any: one item, so every check is one GetItem. */
  suspension: (userId: string) => ({ pk: `USER#${userId}`, sk: 'SUSPENSION' }),
  /** The audit trail, one partition per day, ordered by time. */
  audit: (at: string, entryId: string) => ({ pk: `AUDIT#${at.slice(0, 10)}`, sk: `${at}#${entryId}` }),
  rateLimit: (userId: string, bucket: string, windowStart: number) => ({
    pk: `USER#${userId}`,
    sk: `RATE#${bucket}#${windowStart}`,
  }),
  /** Inbox index: a user's memberships ordered by last activity. */
  inbox: (userId: string, lastActivityAt: string, conversationId: string) => ({
    gsi1pk: `USER#${userId}`,
    gsi1sk: `${lastActivityAt}#${conversationId}`,
  }),
  inboxPartition: (userId: string) => `USER#${userId}`,
};
