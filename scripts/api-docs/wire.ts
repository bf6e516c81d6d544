/**
 * The response and event shapes of the API descriptions, as zod schemas used only to write JSON Schema. Each is
 * checked by the type checker to be exactly its type in shared/domain/model.ts (or the use case's result), so a
 * field added to the wire without being described here fails `npm run typecheck`.
 */
import { z } from 'zod';
import type { listBlocks } from '../../shared/domain/blocks.ts';
import type { listInbox } from '../../shared/domain/conversations.ts';
import type { listDevices, registerDevice } from '../../shared/domain/devices.ts';
import type { listMessages } from '../../shared/domain/messaging.ts';
import type {
  Conversation,
  ConversationWithMembers,
  InboxEntry,
  Member,
  Message,
  PresenceStatus,
  ServerEvent,
} from '../../shared/domain/model.ts';
import type { getUnread, markRead } from '../../shared/domain/read-state.ts';
import type { ErrorCode } from '../../shared/errors.ts';

export const time = z.string().describe('ISO-8601 UTC time with milliseconds, e.g. 2026-11-22T10:15:30.123Z');
export const opaqueId = z.string().describe('Opaque id of 1-128 of A-Z a-z 0-9 _ . : @ | -');
export const count = z.number().int().min(0);

/** Every error code, with its HTTP status and meaning (docs/protocol.md, "Errors"). */
export const errorCodes = {
  unauthorized: { status: [401], meaning: 'The verified token has no user id (sub).' },
  forbidden: {
    status: [403],
    meaning:
      'Not allowed: not a moderator (the /moderation routes), not an admin, not the author, removing someone else from a direct conversation, adding a user who left the group or who blocks you, or starting a direct conversation across a block.',
  },
  not_member: {
    status: [403],
    meaning: 'Not a member of this conversation, or it does not exist (the same answer for both).',
  },
  not_found: { status: [404], meaning: 'The message or member named in the path does not exist.' },
  validation_failed: {
    status: [400],
    meaning:
      'The message starts with the field at fault, e.g. "body: must not be empty"; only the first problem.',
  },
  payload_too_large: {
    status: [413],
    meaning: 'The frame or HTTP body is over 16 KB, or the message body over 4 KB.',
  },
  rate_limited: {
    status: [429],
    meaning:
      "Over one of the caller's per-user limits this minute (sends, edits, new conversations, heartbeats, ...); on a socket also the notice to a connection closed because the user opened more than the connection cap.",
  },
  conflict: {
    status: [409],
    meaning:
      'Concurrent membership change; message already deleted; conversation too busy (retry with the same clientMessageId); or a clientMessageId whose message has expired.',
  },
  suspended: {
    status: [403],
    meaning:
      'A moderator suspended the caller: HTTP calls answer this, open sockets get it as an error event and are closed, and new connections are refused, until the suspension ends or is lifted.',
  },
  content_rejected: {
    status: [400],
    meaning:
      "The content filter refused the message's text (a send or an edit); over WebSocket the error event carries the clientMessageId.",
  },
  internal: {
    status: [500, 503],
    meaning:
      'An unexpected failure (500) or no answer in time (503). The message carries a reference; over HTTP it is also in x-correlation-id.',
  },
} as const satisfies Record<ErrorCode, { status: readonly number[]; meaning: string }>;

const codeList = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];
const errorCode = z.enum(codeList).describe('Protocol error code (see the error code table)');

const reactions = z
  .array(
    z.object({
      emoji: z.string().describe('One emoji.'),
      count: z.number().int().min(1),
      userIds: z.array(opaqueId).describe('The most recent reactors, newest first, at most 20.'),
    }),
  )
  .meta({ id: 'Reactions' });

export const message = z
  .object({
    conversationId: opaqueId,
    messageId: opaqueId.describe('Opaque and unique; de-duplicate by it.'),
    seq: z
      .number()
      .int()
      .min(1)
      .describe(
        'Position in the conversation: 1, 2, 3, …, strictly increasing; a seq is skipped only when a send died half-way (see the README).',
      ),
    senderId: opaqueId.describe("The sender's user id (token sub)."),
    body: z.string().describe('Trimmed text; "" once deleted.'),
    clientMessageId: opaqueId.describe("The sender's idempotency key."),
    createdAt: time,
    editedAt: time.optional().describe('Present after an edit.'),
    deletedAt: time.optional().describe('Present after a delete.'),
    removedBy: z
      .literal('moderator')
      .optional()
      .describe('Present when a moderator removed the message (it is then deleted too).'),
    replyTo: z
      .object({
        messageId: opaqueId,
        seq: z.number().int().min(1),
        senderId: opaqueId,
        preview: z
          .string()
          .describe('The start of the quoted body when the reply was sent; "" if it was deleted.'),
      })
      .optional()
      .describe('Present on a reply: the message it quotes.'),
    mentions: z.array(opaqueId).optional().describe('Present when the message mentions members.'),
    reactions: reactions.optional().describe('Present once anyone reacted; most used first.'),
    attachments: z
      .array(
        z.object({
          attachmentId: opaqueId.describe(
            'Download it with GET /conversations/{id}/attachments/{attachmentId}.',
          ),
          fileName: z.string().describe('Sanitised: no path, controls, quotes or separators.'),
          contentType: z.string().describe('One of the allowed types, as uploaded.'),
          size: z.number().int().min(1).describe('Bytes, as stored.'),
          width: z.number().int().min(1).optional().describe('Images whose preview was made.'),
          height: z.number().int().min(1).optional().describe('Images whose preview was made.'),
          hasThumbnail: z.boolean().describe('Whether GET ...?variant=thumbnail has a preview.'),
        }),
      )
      .optional()
      .describe('Present when the sender attached files; gone once the message is deleted.'),
  })
  .meta({ id: 'Message' });

const conversation = z
  .object({
    conversationId: opaqueId,
    type: z.enum(['direct', 'group']),
    name: z.string().optional().describe('Groups only.'),
    createdBy: opaqueId.describe("The creator's user id."),
    createdAt: time,
    lastSeq: count.describe('seq of the newest message; 0 when there is none.'),
    lastActivityAt: time.describe('createdAt of the newest message, else of the conversation.'),
    memberCount: count,
  })
  .meta({ id: 'Conversation' });

const member = z
  .object({
    userId: opaqueId,
    role: z.enum(['admin', 'member']),
    joinedAt: time,
    lastReadSeq: count.describe("This member's read position."),
  })
  .meta({ id: 'Member' });

export const conversationWithMembers = conversation
  .extend({ members: z.array(member) })
  .meta({ id: 'ConversationWithMembers' });

const inboxEntry = z
  .object({
    conversation,
    lastMessage: message.nullable().describe('Follows edits and deletes of that message.'),
    unreadCount: count,
    unreadMentions: count.describe('Unread messages that mention the caller.'),
  })
  .meta({ id: 'InboxEntry' });

const presenceStatus = z
  .object({
    userId: opaqueId,
    status: z.enum(['online', 'offline']),
    lastSeenAt: time
      .nullable()
      .describe('Last connect, heartbeat or disconnect; null if never seen or not visible.'),
  })
  .meta({ id: 'PresenceStatus' });

export const inboxPage = z
  .object({
    items: z.array(inboxEntry),
    cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
  })
  .meta({ id: 'InboxPage' });

export const messagePage = z
  .object({ items: z.array(message), hasMore: z.boolean().describe('More messages in the same direction.') })
  .meta({ id: 'MessagePage' });

export const readPosition = z
  .object({
    conversationId: opaqueId,
    seq: count.describe('The read position actually kept.'),
    unreadCount: count,
  })
  .meta({ id: 'ReadPosition' });

export const unreadSummary = z
  .object({
    total: count,
    conversations: z
      .array(z.object({ conversationId: opaqueId, count }))
      .describe('Only conversations with count > 0.'),
  })
  .meta({ id: 'UnreadSummary' });

export const presenceAnswer = z
  .object({ users: z.array(presenceStatus).describe('In the order asked, duplicates removed.') })
  .meta({ id: 'PresenceAnswer' });

export const blockList = z
  .object({ userIds: z.array(opaqueId).describe('The users the caller blocks, by id.') })
  .meta({ id: 'BlockList' });

const platform = z
  .enum(['apns', 'fcm'])
  .describe('apns: Apple Push Notification service; fcm: Firebase Cloud Messaging.');

export const registeredDevice = z.object({ deviceId: opaqueId, platform }).meta({ id: 'RegisteredDevice' });

export const deviceList = z
  .object({
    items: z
      .array(z.object({ deviceId: opaqueId, platform, createdAt: time }))
      .describe('Oldest first; the token itself is never returned.'),
  })
  .meta({ id: 'DeviceList' });

export const errorEnvelope = z
  .object({ error: z.object({ code: errorCode, message: z.string() }) })
  .meta({ id: 'Error', description: 'The error envelope of every error answered by a function.' });

export const gatewayMessage = z.object({ message: z.string() }).meta({
  id: 'GatewayMessage',
  description:
    'API Gateway\'s own answer, before any function runs: 401 {"message":"Unauthorized"}, 404 {"message":"Not Found"}, stage throttling 429.',
});

/** A server event's schema: its `type` and fields, a component named after the type (`message.ack` → MessageAckEvent). */
function event<Type extends string, Shape extends z.ZodRawShape>(type: Type, shape: Shape) {
  const id = `${type.replace(/(^|\.)(\w)/g, (_, _dot: string, c: string) => c.toUpperCase())}Event`;
  return z.object({ type: z.literal(type), ...shape }).meta({ id });
}

/** Server → client events, by type, each with when it is sent (docs/protocol.md). */
export const serverEvents = {
  'message.ack': {
    schema: event('message.ack', {
      clientMessageId: opaqueId,
      message,
    }),
    summary: 'The message of a sendMessage is stored (a repeated clientMessageId gets the first one).',
  },
  'message.new': {
    schema: event('message.new', { message }),
    summary:
      "A new message was stored; to the members' live connections (a WebSocket send skips its socket).",
  },
  'message.updated': {
    schema: event('message.updated', { message }),
    summary: 'The author changed the body of a message (message has editedAt).',
  },
  'message.reactions': {
    schema: event('message.reactions', {
      conversationId: opaqueId,
      messageId: opaqueId,
      seq: count,
      reactions: z.array(reactions.element).describe("All of the message's reactions after the change."),
    }),
    summary: "A message's reactions changed; to every member's connections.",
  },
  'message.deleted': {
    schema: event('message.deleted', {
      conversationId: opaqueId,
      messageId: opaqueId,
      seq: count,
      removedBy: z.literal('moderator').optional().describe('Present when a moderator removed it.'),
    }),
    summary: 'The author deleted a message, or a moderator removed it.',
  },
  typing: {
    schema: event('typing', {
      conversationId: opaqueId,
      userId: opaqueId,
      isTyping: z.boolean(),
      expiresAt: time.describe('When the signal ends; the moment of the stop when isTyping is false.'),
    }),
    summary: "Another member started or stopped typing (not sent to the typist's own devices).",
  },
  presence: {
    schema: event('presence', {
      userId: opaqueId,
      status: z.enum(['online', 'offline']),
      lastSeenAt: time.nullable().describe('Time of the change.'),
    }),
    summary: 'A contact came online or went offline.',
  },
  read: {
    schema: event('read', {
      conversationId: opaqueId,
      userId: opaqueId,
      seq: count,
    }),
    summary: "Another member's read position moved forward to seq.",
  },
  unread: {
    schema: event('unread', {
      conversationId: opaqueId,
      count: count.describe("This conversation's unread count."),
      total: count.describe('The sum over all conversations.'),
    }),
    summary: "The reader's own position moved forward; to all of the reader's connections.",
  },
  'conversation.updated': {
    schema: event('conversation.updated', {
      conversation: conversationWithMembers,
    }),
    summary: 'A conversation was created, members were added, or a member left or was removed.',
  },
  pong: {
    schema: event('pong', {
      at: time.describe('Server time.'),
      heartbeatIntervalSeconds: z.number().int().min(1).describe('How often to send heartbeat.'),
    }),
    summary: 'The answer to a heartbeat with reply: true.',
  },
  error: {
    schema: event('error', {
      code: errorCode,
      message: z.string(),
      clientMessageId: z.string().max(128).optional().describe("The failed frame's, when it was a string."),
      action: z.string().max(128).optional().describe("The failed frame's, when it was a string."),
    }),
    summary: 'A frame failed; to the socket that sent it. Nothing was changed.',
  },
} as const;

// The type checker holds these descriptions to the code: each must be exactly the type clients receive.
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Holds<T extends true> = T;
type Out<S extends z.ZodType> = z.output<S>;
type Result<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
type EventOf<K extends keyof typeof serverEvents> = Out<(typeof serverEvents)[K]['schema']>;
type ModelEvent<K extends ServerEvent['type']> = Extract<ServerEvent, { type: K }>;
/** Every event but `error` exactly; `error` too, except that its `code` is described as the ErrorCode it is. */
type EventsMatch = {
  [K in Exclude<keyof typeof serverEvents, 'error'>]: Same<EventOf<K>, ModelEvent<K>>;
}[Exclude<keyof typeof serverEvents, 'error'>];
type _WireMatchesModel = [
  Holds<Same<Out<typeof message>, Message>>,
  Holds<Same<Out<typeof conversation>, Conversation>>,
  Holds<Same<Out<typeof member>, Member>>,
  Holds<Same<Out<typeof conversationWithMembers>, ConversationWithMembers>>,
  Holds<Same<Out<typeof inboxEntry>, InboxEntry>>,
  Holds<Same<Out<typeof presenceStatus>, PresenceStatus>>,
  Holds<Same<Out<typeof inboxPage>, Result<typeof listInbox>>>,
  Holds<Same<Out<typeof messagePage>, Result<typeof listMessages>>>,
  Holds<Same<Out<typeof readPosition>, Result<typeof markRead>>>,
  Holds<Same<Out<typeof unreadSummary>, Result<typeof getUnread>>>,
  Holds<Same<Out<typeof blockList>, Result<typeof listBlocks>>>,
  Holds<Same<Out<typeof registeredDevice>, Result<typeof registerDevice>['device']>>,
  Holds<Same<Out<typeof deviceList>, Result<typeof listDevices>>>,
  Holds<EventsMatch>,
  Holds<Same<Omit<EventOf<'error'>, 'code'>, Omit<ModelEvent<'error'>, 'code'>>>,
  Holds<Same<keyof typeof serverEvents, ServerEvent['type']>>,
];
