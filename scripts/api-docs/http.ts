/**
 * The OpenAPI 3.1 description of the HTTP API: one operation per route of shared/shape/routes.ts, with the path,
 * query and body schemas the handlers validate with (shared/domain/schemas.ts) and the wire shapes of wire.ts.
 */

import { defaultSettings } from '../../shared/config.ts';
import { limits } from '../../shared/domain/limits.ts';
import * as moderation from '../../shared/domain/moderation-schemas.ts';
import { pushCollapseMs } from '../../shared/domain/push.ts';
import * as push from '../../shared/domain/push-schemas.ts';
import * as input from '../../shared/domain/schemas.ts';
import { suspensionBody } from '../../shared/domain/suspensions.ts';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import { type HttpRoute, rateBuckets } from '../../shared/shape/routes.ts';
import { attachmentOperations } from './attachment-operations.ts';
import { componentsFor, type JsonSchema, refTo, type Schema, toSchema } from './json-schema.ts';
import * as moderationWire from './moderation-wire.ts';
import { reactionOperations } from './reaction-operations.ts';
import * as wire from './wire.ts';

type ErrorStatus = 400 | 403 | 404 | 409 | 413 | 429;

export interface Operation {
  summary: string;
  description?: string;
  tag:
    | 'Conversations'
    | 'Members'
    | 'Messages'
    | 'Read state'
    | 'Presence'
    | 'Blocks'
    | 'Push'
    | 'Moderation';
  path?: Schema;
  query?: Schema;
  body?: Schema;
  /** Success answers: status → schema (undefined: no body) and what it means. */
  success: Record<number, { schema?: Schema; description: string }>;
  /** Errors this route adds to those every route can give (docs/protocol.md, "HTTP API"). */
  errors: Partial<Record<ErrorStatus, string>>;
}

const messageLimit = `the body is trimmed, must not be empty and at most ${limits.maxMessageBodyBytes} bytes of UTF-8 (more answers 413)`;

/** Keyed by the route's function name; every route of the table must have one (the generator refuses otherwise). */
const operations: Record<string, Operation> = {
  ...attachmentOperations,
  ...reactionOperations,
  HttpCreateConversation: {
    summary: 'Create a direct conversation or a group',
    description:
      'Direct: exactly one other member; the one conversation of that pair is returned whoever created it first (200), and one who had left it is a member again. Group: the caller becomes admin; duplicates and the caller are dropped from memberIds.',
    tag: 'Conversations',
    body: input.createConversationBody,
    success: {
      201: { schema: wire.conversationWithMembers, description: 'Created.' },
      200: { schema: wire.conversationWithMembers, description: 'That direct pair already exists.' },
    },
    errors: {
      400: 'validation_failed',
      403: 'forbidden (a direct conversation across a block either way; a group with someone who blocks the caller)',
    },
  },
  HttpListConversations: {
    summary: 'The inbox: conversations by last activity, newest first',
    tag: 'Conversations',
    query: input.inboxQuery,
    success: { 200: { schema: wire.inboxPage, description: 'One page of the inbox.' } },
    errors: { 400: 'validation_failed (bad limit, or cursor: is not a cursor of this list)' },
  },
  HttpGetConversation: {
    summary: 'A conversation with its members',
    tag: 'Conversations',
    path: input.conversationPath,
    success: { 200: { schema: wire.conversationWithMembers, description: 'The conversation.' } },
    errors: { 403: 'not_member' },
  },
  HttpAddMembers: {
    summary: 'Add members to a group (admins only)',
    description:
      'Ids already members are skipped; if nobody new is left, the unchanged conversation is returned.',
    tag: 'Members',
    path: input.conversationPath,
    body: input.addMembersBody,
    success: {
      200: { schema: wire.conversationWithMembers, description: 'The conversation after the change.' },
    },
    errors: {
      400: `validation_failed (count, or the group would pass ${limits.maxGroupMembers})`,
      403: 'not_member; forbidden (direct conversation, caller not admin, a user who left the group, or one who blocks the caller)',
      409: 'conflict (members changed at the same time)',
    },
  },
  HttpRemoveMember: {
    summary: 'Leave a conversation, or remove a member (admins only)',
    description:
      'Leaving (your own id) is remembered: nobody can add you back to that group. Leaving a direct conversation takes it out of your inbox and stops its deliveries and unread counts; the other member keeps it and its history; you come back by creating it again (POST /conversations).',
    tag: 'Members',
    path: input.memberPath,
    success: { 204: { description: 'Removed; no body.' } },
    errors: {
      403: 'not_member; forbidden (removing someone else from a direct conversation, or without being admin)',
      404: 'not_found (that user is not a member)',
      409: 'conflict',
    },
  },
  HttpListMessages: {
    summary: 'Message history by seq',
    description:
      'Neither before nor after: the newest `limit` messages, newest first. before=N: seq < N, newest first. after=N: seq > N, oldest first.',
    tag: 'Messages',
    path: input.conversationPath,
    query: input.listMessagesQuery,
    success: { 200: { schema: wire.messagePage, description: 'One page of history.' } },
    errors: {
      400: 'validation_failed (bad numbers; "before: use either before or after" when both are given)',
      403: 'not_member',
    },
  },
  HttpSendMessage: {
    summary: 'Send a message',
    description: `Idempotent by (conversation, sender, clientMessageId); ${messageLimit}.`,
    tag: 'Messages',
    path: input.conversationPath,
    body: input.sendMessageBody,
    success: {
      201: { schema: wire.message, description: 'Stored.' },
      200: { schema: wire.message, description: 'The message first stored with this clientMessageId.' },
    },
    errors: {
      400: 'content_rejected (the content filter refused the text; nothing is stored); validation_failed (replyTo: not a message of this conversation; mentions: not a member, twice, or over 20)',
      403: 'not_member',
      409: 'conflict (conversation too busy, or the earlier message with this clientMessageId has expired)',
      413: 'payload_too_large (body over 4 KB)',
    },
  },
  HttpEditMessage: {
    summary: 'Edit a message (the author only)',
    description: messageLimit,
    tag: 'Messages',
    path: input.messagePath,
    body: input.editMessageBody,
    success: { 200: { schema: wire.message, description: 'The updated message.' } },
    errors: {
      400: 'content_rejected (the content filter refused the new text; the message is unchanged)',
      403: 'not_member; forbidden (not the author)',
      404: 'not_found (no such message)',
      409: 'conflict (message deleted)',
      413: 'payload_too_large',
    },
  },
  HttpDeleteMessage: {
    summary: 'Delete a message (the author only; soft: body "" and deletedAt)',
    tag: 'Messages',
    path: input.messagePath,
    success: { 204: { description: 'Deleted; no body.' } },
    errors: {
      403: 'not_member; forbidden (not the author)',
      404: 'not_found',
      409: 'conflict (already deleted)',
    },
  },
  HttpMarkRead: {
    summary: 'Move the read position forward',
    description: 'A seq beyond lastSeq is clamped; one at or behind the current position changes nothing.',
    tag: 'Read state',
    path: input.conversationPath,
    body: input.markReadBody,
    success: { 200: { schema: wire.readPosition, description: 'The position kept.' } },
    errors: { 400: 'validation_failed', 403: 'not_member' },
  },
  HttpGetUnread: {
    summary: 'Unread counts: the total and each conversation with unread messages',
    tag: 'Read state',
    success: { 200: { schema: wire.unreadSummary, description: 'The counts.' } },
    errors: {},
  },
  HttpGetPresence: {
    summary: 'Presence of users who engaged with a conversation one is in',
    description:
      'A user is visible only through a conversation of yours they created, sent in or read in, and not across a block either way; a user you may not see is answered as never seen: status offline, lastSeenAt null. The caller can always read their own presence.',
    tag: 'Presence',
    query: input.presenceQuery,
    success: { 200: { schema: wire.presenceAnswer, description: 'The users, in the order asked.' } },
    errors: { 400: 'validation_failed (missing, empty, too many or malformed ids)' },
  },
  HttpBlockUser: {
    summary: 'Block a user (again changes nothing)',
    description: `The blocked user can no longer start or message a direct conversation with you or add you to a group; neither of you sees the other's presence or typing. At most ${limits.maxBlocksPerUser} blocks.`,
    tag: 'Blocks',
    path: input.userPath,
    success: { 204: { description: 'Blocked; no body.' } },
    errors: {
      400: `validation_failed (userId: is you; or already ${limits.maxBlocksPerUser} blocks)`,
    },
  },
  HttpUnblockUser: {
    summary: 'Lift a block (none changes nothing)',
    tag: 'Blocks',
    path: input.userPath,
    success: { 204: { description: 'Unblocked; no body.' } },
    errors: { 400: 'validation_failed (userId: is you)' },
  },
  HttpListBlocks: {
    summary: 'The users one blocks',
    tag: 'Blocks',
    success: { 200: { schema: wire.blockList, description: 'Every user the caller blocks, by id.' } },
    errors: {},
  },
  HttpRegisterDevice: {
    summary: 'Register a device for push notifications',
    description: `A member with no live connection gets a push for each new message of a conversation they have not muted (at most one per device and conversation every ${pushCollapseMs / 1000} s). A token another user registered moves to the caller (a new sign-in on the phone). At most ${limits.maxDevicesPerUser} devices a user: one more forgets the oldest.`,
    tag: 'Push',
    body: push.registerDeviceBody,
    success: {
      201: { schema: wire.registeredDevice, description: 'Registered.' },
      200: {
        schema: wire.registeredDevice,
        description: 'The caller had registered this token: the same device.',
      },
    },
    errors: {},
  },
  HttpListDevices: {
    summary: "One's devices",
    tag: 'Push',
    success: { 200: { schema: wire.deviceList, description: "The caller's devices, without their tokens." } },
    errors: {},
  },
  HttpRemoveDevice: {
    summary: 'Forget one of your devices',
    tag: 'Push',
    path: push.devicePath,
    success: { 204: { description: 'Forgotten; no body.' } },
    errors: { 404: 'not_found (no such device of yours)' },
  },
  HttpMuteConversation: {
    summary: 'Mute a conversation: no pushes for it',
    description:
      'Until `until` (an ISO time in the future), or until unmuted when absent. Unread counts still count. Members only.',
    tag: 'Push',
    path: input.conversationPath,
    body: push.muteBody,
    success: { 204: { description: 'Muted; no body.' } },
    errors: { 400: 'validation_failed (until: not an ISO time, or not in the future)', 403: 'not_member' },
  },
  HttpUnmuteConversation: {
    summary: 'Unmute a conversation',
    tag: 'Push',
    path: input.conversationPath,
    success: { 204: { description: 'Unmuted (or was not muted); no body.' } },
    errors: { 403: 'not_member' },
  },
  HttpReportMessage: {
    summary: 'Report a message to the moderators',
    description:
      "Members only, about another member's message. Reports of one message are grouped for the moderators (count, reasons, first time); the answer says nothing about other reporters. A second report of the same message by the same user changes nothing and answers the same reportId (200).",
    tag: 'Moderation',
    path: input.messagePath,
    body: moderation.reportBody,
    success: {
      201: { schema: moderationWire.reportReceipt, description: 'Reported.' },
      200: {
        schema: moderationWire.reportReceipt,
        description: 'The caller had reported it: the same report.',
      },
    },
    errors: {
      400: `validation_failed (reason: not one of the list; note: empty or over ${limits.maxReportNoteLength} characters; messageId: is your own message)`,
      403: 'not_member',
      404: 'not_found (no such message in this conversation)',
    },
  },
  HttpListReports: {
    summary: 'Reported messages (moderators)',
    description:
      'One item per reported message with its current content; open reports the oldest first (act within 24 hours: the stack alarms on the oldest open report), resolved ones the latest first.',
    tag: 'Moderation',
    query: moderation.reportListQuery,
    success: { 200: { schema: moderationWire.reportPage, description: 'One page of reports.' } },
    errors: {
      400: 'validation_failed (bad status or limit, or cursor: is not a cursor of this list)',
      403: 'forbidden (the caller is not a moderator)',
    },
  },
  HttpResolveReport: {
    summary: 'Resolve a report (moderators)',
    description:
      'Records the action taken (removing the message or suspending its sender are their own calls). A resolved report opens again when someone new reports the message. Audited.',
    tag: 'Moderation',
    path: moderation.reportPath,
    body: moderation.resolveReportBody,
    success: { 204: { description: 'Resolved; no body.' } },
    errors: {
      400: 'validation_failed (action: not dismissed, removed or suspended)',
      403: 'forbidden (the caller is not a moderator)',
      404: 'not_found (no such report)',
      409: 'conflict (resolved already)',
    },
  },
  HttpRemoveMessage: {
    summary: 'Remove a message for everyone (moderators)',
    description:
      'Whoever sent it: its text is gone, members get `message.deleted` with `removedBy: moderator`, and history shows it deleted. Removing a deleted message changes nothing. The moderator need not be a member. An optional JSON body `{ reason }` goes to the audit trail.',
    tag: 'Moderation',
    path: input.messagePath,
    body: moderation.removalBody,
    success: { 204: { description: 'Removed (or was deleted already); no body.' } },
    errors: {
      400: `validation_failed (reason: empty or over ${limits.maxModerationReasonLength} characters)`,
      403: 'forbidden (the caller is not a moderator)',
      404: 'not_found (no such message in this conversation)',
    },
  },
  HttpSuspendUser: {
    summary: 'Suspend a user (moderators)',
    description:
      "At once: the user's open sockets get an `error` event with code `suspended` and are closed, new connections are refused, every HTTP call answers 403 `suspended`, and their devices get no pushes; until `until` (an ISO time in the future, within 10 years) or until lifted when absent. Suspending again replaces the suspension. Audited.",
    tag: 'Moderation',
    path: input.userPath,
    body: suspensionBody,
    success: { 204: { description: 'Suspended; no body.' } },
    errors: {
      400: `validation_failed (reason: empty or over ${limits.maxModerationReasonLength} characters; until: not an ISO time, not in the future or over 10 years ahead; userId: is you)`,
      403: 'forbidden (the caller is not a moderator)',
    },
  },
  HttpLiftSuspension: {
    summary: 'Lift a suspension (moderators)',
    description:
      'Everything works again for the user at once (HTTP may take under a second). Lifting a user who is not suspended changes nothing. Audited.',
    tag: 'Moderation',
    path: input.userPath,
    success: { 204: { description: 'Lifted (or was not suspended); no body.' } },
    errors: { 403: 'forbidden (the caller is not a moderator)' },
  },
};

/** Query parameters whose JSON Schema (the string they arrive as) needs a word on its format. */
const queryNotes: Record<string, string> = {
  userIds: `Comma-separated user ids, 1-${limits.maxPresenceIds} distinct (duplicates removed).`,
  cursor: 'The cursor of the previous page; opaque, and valid only for the user it was issued to.',
  before: 'Messages with seq < before, newest first. Not with after.',
  after: 'Messages with seq > after, oldest first. Not with before.',
  limit: 'Page size.',
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function parameters(where: 'path' | 'query', schema: Schema | undefined) {
  if (!schema) return [];
  const object = toSchema(schema);
  const required = new Set((object.required as string[] | undefined) ?? []);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(where === 'query' && queryNotes[name] ? { description: queryNotes[name] } : {}),
    schema: property,
  }));
}

const commonErrors = {
  400: 'validation_failed: a malformed path id, a body that is not JSON, or a field at fault.',
  401: 'Missing or invalid token. Answered by API Gateway\'s JWT authorizer: {"message":"Unauthorized"}, not the error envelope.',
  403: 'suspended: a moderator suspended the caller (every route answers this until the suspension ends or is lifted).',
  413: 'payload_too_large: a body over 16 KB.',
  500: 'internal: an unexpected failure; quote x-correlation-id.',
  503: 'internal: no answer in time; retrying a send with the same clientMessageId is safe.',
} as const;

const correlationHeader = {
  'x-correlation-id': {
    description: 'The request id; quote it when reporting a problem.',
    schema: { type: 'string' },
  },
};

function operation(route: HttpRoute) {
  const op = operations[route.name];
  if (!op) throw new Error(`scripts/api-docs/http.ts describes no operation for ${route.name}`);
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(op.success)) {
    responses[status] = {
      description: answer.description,
      headers: correlationHeader,
      ...(answer.schema ? { content: json(refTo(answer.schema)) } : {}),
    };
  }
  const errors: Record<string, string> = { ...commonErrors };
  if (route.rateLimit) {
    const { perMinute, what } = rateBuckets[route.rateLimit];
    errors[429] = `rate_limited: over the caller's per-user limit of ${what} this minute (\`${perMinute}\`, ${defaultSettings[perMinute]} by default).`;
  }
  for (const [status, what] of Object.entries(op.errors)) {
    errors[status] = status in commonErrors ? `${errors[status]} Also: ${what}.` : `${what}.`;
  }
  for (const [status, description] of Object.entries(errors)) {
    responses[status] = {
      description,
      ...(status === '401'
        ? { content: json(refTo(wire.gatewayMessage)) }
        : { headers: correlationHeader, content: json(refTo(wire.errorEnvelope)) }),
    };
  }
  return {
    operationId: route.name.replace(/^Http/, '').replace(/^./, (c) => c.toLowerCase()),
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    parameters: [...parameters('path', op.path), ...parameters('query', op.query)],
    ...(op.body ? { requestBody: { required: true, content: json(toSchema(op.body)) } } : {}),
    responses,
  };
}

export function openApiDocument() {
  const unknown = Object.keys(operations).filter((name) => !httpRoutes.some((route) => route.name === name));
  if (unknown.length > 0)
    throw new Error(`Operations for routes not in the route table: ${unknown.join(', ')}`);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of httpRoutes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  const errorTable = Object.entries(wire.errorCodes)
    .map(([code, { status, meaning }]) => `| \`${code}\` | ${status.join(' or ')} | ${meaning} |`)
    .join('\n');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Serverless chat HTTP API',
      version: '1',
      description: [
        'Everything but live traffic (which is the WebSocket API, see asyncapi.json). Generated by `npm run docs:api` from shared/shape/routes.ts, shared/domain/schemas.ts and shared/domain/model.ts; the reference for humans is docs/protocol.md.',
        '',
        'Every answer from a function carries `content-type: application/json` and `x-correlation-id`. Unknown body fields are ignored.',
        '',
        '**Answers that are not the envelope.** API Gateway answers some requests itself, before any function runs, with `{"message":"..."}`: 401 `{"message":"Unauthorized"}` for a missing or invalid token, 404 `{"message":"Not Found"}` for an unknown method or path, and 429 in its own format for stage throttling. The local runtime answers the first two the same way. Handle a body without `error` by its status code.',
        '',
        '| code | status | meaning |',
        '|---|---|---|',
        errorTable,
      ].join('\n'),
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'The local runtime (npm run dev)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stack (the stack output HttpApiUrl)',
        variables: { apiId: { default: 'api-id' }, region: { default: 'us-east-1' } },
      },
    ],
    security: [{ bearerJwt: [] }],
    tags: [
      'Conversations',
      'Members',
      'Messages',
      'Read state',
      'Presence',
      'Blocks',
      'Push',
      'Moderation',
    ].map((name) => ({
      name,
    })),
    paths,
    components: {
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A JWT of the stack's Cognito user pool (ID or access token) or of the configured OIDC issuer; the local runtime issues its own (POST /_local/token). The user id is always the token's sub.",
        },
      },
      schemas: componentsFor([
        wire.errorEnvelope,
        wire.gatewayMessage,
        ...Object.values(operations).flatMap((op) =>
          Object.values(op.success).flatMap((answer) => (answer.schema ? [answer.schema] : [])),
        ),
      ]),
    },
  };
}
