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

/** Message ids carry the seq so edit and delete find the message with one GetItem; clients treat them as opaque. */
export const messageIdFor = (seq: number, unique: string) => `${seq}-${unique}`;

export function seqOfMessageId(messageId: string): number | undefined {
  const match = /^(\d{1,15})-[0-9A-Za-z]+$/.exec(messageId);
  if (!match?.[1]) return undefined;
  const seq = Number(match[1]);
  return seq >= 1 ? seq : undefined;
}

export const epochSeconds = (ms: number) => Math.floor(ms / 1000);
