/**
 * Key builders of the single table. Ids never contain `#` (see `limits.idPattern`), so a client-chosen id
 * cannot address another item type.
 */

const seqWidth = 12;

export const padSeq = (seq: number) => String(seq).padStart(seqWidth, '0');

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
  presence: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PRESENCE' }),
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
