/** The conversation, member and inbox items: their shape in the table and the domain objects they hold. */

import { messageIdFor } from '../domain/ids.ts';
import type { ConversationType, Member, MemberRole, Message, StoredConversation } from '../domain/model.ts';
import type { Departure, Membership, NewConversation } from '../domain/ports.ts';
import { validationFailed } from '../errors.ts';
import { entityTypes } from '../shape/table.ts';
import type { Item } from './dynamo.ts';
import { keys } from './keys.ts';
import { mentionSeqsOf } from './mention-store.ts';

/** A new conversation's item: no message yet, members version 1. */
export function conversationItem(conversation: NewConversation) {
  const { conversationId, createdAt } = conversation;
  return {
    ...keys.conversation(conversationId),
    entity: entityTypes.conversation,
    conversationId,
    type: conversation.type,
    name: conversation.name,
    createdBy: conversation.createdBy,
    createdAt,
    lastSeq: 0,
    lastActivityAt: createdAt,
    inboxIndexedAt: createdAt,
    membersVersion: 1,
    memberCount: conversation.members.length,
  };
}

/** The attribute holding a direct conversation member's last own seq (see `StoredConversation.sentSeqs`). */
export const sentSeqAttribute = (userId: string) => `sentSeq:${userId}`;
const sentSeqPrefix = sentSeqAttribute('');

/**
 * The last message as the send's seq reservation records it: without its seq and id, which are the
 * conversation's `lastSeq` and that seq with the stored `unique` part (the reservation writes both at once).
 */
function lastMessageOf(item: Item): Message | undefined {
  const draft = item.lastMessage as (Omit<Message, 'seq' | 'messageId'> & { unique: string }) | undefined;
  if (!draft) return undefined;
  const { unique, ...message } = draft;
  const seq = item.lastSeq as number;
  return { ...message, seq, messageId: messageIdFor(seq, unique) };
}

function sentSeqsOf(item: Item): Record<string, number> {
  const sentSeqs: Record<string, number> = {};
  for (const [name, value] of Object.entries(item))
    if (name.startsWith(sentSeqPrefix) && typeof value === 'number')
      sentSeqs[name.slice(sentSeqPrefix.length)] = value;
  return sentSeqs;
}

export function toConversation(item: Item): StoredConversation {
  const lastMessage = lastMessageOf(item);
  return {
    conversationId: item.conversationId as string,
    type: item.type as ConversationType,
    ...(item.name === undefined ? {} : { name: item.name as string }),
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    lastSeq: item.lastSeq as number,
    lastActivityAt: item.lastActivityAt as string,
    inboxIndexedAt: (item.inboxIndexedAt ?? item.lastActivityAt) as string,
    ...(lastMessage ? { lastMessage } : {}),
    membersVersion: item.membersVersion as number,
    sentSeqs: sentSeqsOf(item),
    memberCount: item.memberCount as number,
  };
}

export function toMember(item: Item): Member {
  return {
    userId: item.userId as string,
    role: item.role as MemberRole,
    joinedAt: item.joinedAt as string,
    lastReadSeq: item.lastReadSeq as number,
  };
}

export function memberItem(
  conversationId: string,
  userId: string,
  role: MemberRole,
  joinedAt: string,
  lastActivityAt: string,
) {
  return {
    ...keys.member(conversationId, userId),
    ...keys.inbox(userId, lastActivityAt, conversationId),
    entity: entityTypes.member,
    conversationId,
    userId,
    role,
    joinedAt,
    lastReadSeq: 0,
  };
}

/** A member who left by themselves, kept beside the members (`LEFT#user`) so nobody else can add them back. */
export function departureItem(departure: Departure) {
  return {
    ...keys.departure(departure.conversationId, departure.userId),
    entity: entityTypes.departure,
    ...departure,
  };
}

export function toDeparture(item: Item): Departure {
  return {
    conversationId: item.conversationId as string,
    userId: item.userId as string,
    leftAt: item.leftAt as string,
    lastReadSeq: item.lastReadSeq as number,
  };
}

export function toMembership(item: Item): Membership {
  const mentionSeqs = mentionSeqsOf(item);
  return {
    conversationId: item.conversationId as string,
    userId: item.userId as string,
    lastReadSeq: item.lastReadSeq as number,
    ...(mentionSeqs.length > 0 ? { mentionSeqs } : {}),
  };
}

export const encodeCursor = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

/** What the base-table keys of an index page's items begin with: an inbox's are members of conversations. */
interface CursorItems {
  pkPrefix: string;
  skPrefix: string;
}

const inboxItems: CursorItems = { pkPrefix: keys.conversation('').pk, skPrefix: keys.memberPrefix };

/**
 * A cursor is only accepted for the index partition it came from (so it cannot page through another user's
 * inbox) and for the kind of item that partition holds.
 */
export function decodeCursor(
  cursor: string,
  partition: string,
  items: CursorItems = inboxItems,
): Record<string, unknown> {
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    key = undefined;
  }
  // Exactly the key attributes of an index entry (table and index keys), so DynamoDB never sees a start key it
  // rejects (a ValidationException would surface as `internal`).
  const valid =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).sort().join(',') === 'gsi1pk,gsi1sk,pk,sk' &&
    key.gsi1pk === partition &&
    Object.values(key).every((value) => typeof value === 'string' && value !== '') &&
    (key.pk as string).startsWith(items.pkPrefix) &&
    (key.sk as string).startsWith(items.skPrefix);
  if (!valid || !key) throw validationFailed('cursor', 'is not a cursor of this list');
  return key;
}
