/**
 * The route table, declared once: which function serves each WebSocket and HTTP route, and what AWS access
 * that function needs. The CDK stack wires and grants from it; the local gateway dispatches from it.
 */

import type { ChatSettings } from '../config.ts';

/**
 * The per-user rate limits, one bucket each: the routes naming a bucket share it (a send over HTTP and one over
 * WebSocket take from the same), its rate per minute is a setting, and `what` names it in the `rate_limited` error.
 */
export const rateBuckets = {
  send: { perMinute: 'sendRatePerMinute', what: 'messages' },
  edit: { perMinute: 'editRatePerMinute', what: 'edits' },
  delete: { perMinute: 'deleteRatePerMinute', what: 'deletions' },
  createConversation: { perMinute: 'conversationRatePerMinute', what: 'new conversations' },
  memberChange: { perMinute: 'memberChangeRatePerMinute', what: 'member changes' },
  markRead: { perMinute: 'markReadRatePerMinute', what: 'read marks' },
  presenceQuery: { perMinute: 'presenceQueryRatePerMinute', what: 'presence queries' },
  heartbeat: { perMinute: 'heartbeatRatePerMinute', what: 'heartbeats' },
  unknownFrame: { perMinute: 'unknownFrameRatePerMinute', what: 'unknown frames' },
  typing: { perMinute: 'typingRatePerMinute', what: 'typing signals' },
  pushSetting: { perMinute: 'pushSettingRatePerMinute', what: 'device or mute changes' },
  report: { perMinute: 'reportRatePerMinute', what: 'reports' },
  moderation: { perMinute: 'moderationRatePerMinute', what: 'moderator actions' },
} as const satisfies Record<string, { perMinute: keyof ChatSettings; what: string }>;

export type RateBucket = keyof typeof rateBuckets;

/** The table adapters (`shared/store`), named as the use cases' context (`ChatContext`) names them. */
export type TableAdapter =
  | 'conversations'
  | 'messages'
  | 'sessions'
  | 'typing'
  | 'rateLimits'
  | 'blocks'
  | 'connectionExpiry'
  | 'devices'
  | 'mutes'
  | 'audit'
  | 'suspensions'
  | 'reports';

/**
 * What a function may do: through each table adapter its code reaches, read, write or both (it is granted
 * that part of the DynamoDB actions the adapter declares it issues), and whether it posts to `@connections`.
 * Three uses follow from the rest of the entry: posting writes through `sessions` (connections that answer 410
 * Gone are forgotten), a route's `rateLimit` writes through `rateLimits`, and every HTTP route reads
 * `suspensions` (a suspended caller is refused, `shared/handlers/http.ts`).
 */
export interface FunctionAccess {
  table: Partial<Record<TableAdapter, 'read' | 'write' | 'readWrite'>>;
  connections: boolean;
  /** Whether it also closes connections (`DeleteConnection` on `@connections`). @default false */
  closesConnections?: boolean;
  /** Whether it queues push jobs (`SendMessage` on the push queue): the deliveries of new messages. @default false */
  queuesPushes?: boolean;
  /** Whether it puts domain events on the event bus (`events:PutEvents`): the event publisher. @default false */
  publishesEvents?: boolean;
  /**
   * Whether it stores a message's text, which the content filter reviews first: it gets the filter's settings,
   * and `comprehend:DetectToxicContent` when the filter uses Comprehend. @default false
   */
  filtersContent?: boolean;
}

export interface FunctionSpec {
  /** Stable name used for the CDK construct id and in logs. */
  name: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  access: FunctionAccess;
}

/** A route the client calls; one that writes or fans out takes a token of its per-user limit before it runs. */
interface ClientRoute extends FunctionSpec {
  rateLimit?: RateBucket;
}

export interface WebSocketRoute extends ClientRoute {
  routeKey: string;
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRoute extends ClientRoute {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/conversations/{conversationId}`. */
  path: string;
}

/** Connection changes: the user's sessions, and the contacts told of a presence change. */
const connectionAccess: FunctionAccess = {
  table: { sessions: 'readWrite', conversations: 'read', blocks: 'read' },
  connections: true,
};
/** Membership and read-position changes, announced to the members' connections. */
const membershipAccess: FunctionAccess = {
  table: { conversations: 'readWrite', sessions: 'read' },
  connections: true,
};
const conversationReader: FunctionAccess = { table: { conversations: 'read' }, connections: false };
/** Creating and adding check who blocks whom (a blocked user may not bring in the one who blocked them). */
const membershipCheckingBlocks: FunctionAccess = {
  ...membershipAccess,
  table: { ...membershipAccess.table, blocks: 'read' },
};
/** A block is also noted on the pair's direct conversation (`blockedSenders`), through the block adapter. */
const blockWriter: FunctionAccess = { table: { blocks: 'readWrite' }, connections: false };
const messageWriter: FunctionAccess = {
  table: { conversations: 'read', messages: 'readWrite' },
  connections: false,
};
/**
 * A send delivers small conversations' messages itself (reading the members' connections) and moves a group
 * sender's read position.
 */
const messageSender: FunctionAccess = {
  table: { conversations: 'readWrite', messages: 'readWrite', sessions: 'read' },
  connections: true,
  queuesPushes: true,
  filtersContent: true,
};

/** `$connect` and `$disconnect` also note and forget when the connection's token expires. */
const lifecycleAccess: FunctionAccess = {
  table: { ...connectionAccess.table, connectionExpiry: 'write' },
  connections: true,
};
/** `$connect` checks once more, after recording the connection, that the user is not suspended. */
const connectAccess: FunctionAccess = {
  ...lifecycleAccess,
  table: { ...lifecycleAccess.table, suspensions: 'read' },
};
/** Every frame's route closes its connection once the token has expired (`shared/handlers/websocket.ts`). */
const closingOnExpiry = (access: FunctionAccess): FunctionAccess => ({ ...access, closesConnections: true });

/** A suspension is audited, and tells the user's sockets and closes them. */
const suspensionWriter: FunctionAccess = {
  table: { suspensions: 'write', audit: 'write', sessions: 'read' },
  connections: true,
  closesConnections: true,
};

/** The action field of a frame selects the route (`$request.body.action`). */
export const routeSelectionExpression = '$request.body.action';

export const webSocketRoutes: readonly WebSocketRoute[] = [
  { routeKey: '$connect', name: 'WsConnect', entry: 'functions/ws/connect.ts', access: connectAccess },
  {
    routeKey: '$disconnect',
    name: 'WsDisconnect',
    entry: 'functions/ws/disconnect.ts',
    access: lifecycleAccess,
  },
  {
    routeKey: '$default',
    name: 'WsDefault',
    entry: 'functions/ws/default.ts',
    access: closingOnExpiry({ table: {}, connections: true }),
    rateLimit: 'unknownFrame',
  },
  {
    routeKey: 'sendMessage',
    name: 'WsSendMessage',
    entry: 'functions/ws/send-message.ts',
    access: closingOnExpiry(messageSender),
    rateLimit: 'send',
  },
  {
    routeKey: 'typing',
    name: 'WsTyping',
    entry: 'functions/ws/typing.ts',
    access: closingOnExpiry({
      table: { conversations: 'read', typing: 'write', sessions: 'read', blocks: 'read' },
      connections: true,
    }),
    rateLimit: 'typing',
  },
  {
    routeKey: 'markRead',
    name: 'WsMarkRead',
    entry: 'functions/ws/mark-read.ts',
    access: closingOnExpiry(membershipAccess),
    rateLimit: 'markRead',
  },
  {
    routeKey: 'heartbeat',
    name: 'WsHeartbeat',
    entry: 'functions/ws/heartbeat.ts',
    access: closingOnExpiry(connectionAccess),
    rateLimit: 'heartbeat',
  },
];

export const httpRoutes: readonly HttpRoute[] = [
  {
    method: 'POST',
    path: '/conversations',
    name: 'HttpCreateConversation',
    entry: 'functions/http/create-conversation.ts',
    access: membershipCheckingBlocks,
    rateLimit: 'createConversation',
  },
  {
    method: 'GET',
    path: '/conversations',
    name: 'HttpListConversations',
    entry: 'functions/http/list-conversations.ts',
    access: conversationReader,
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}',
    name: 'HttpGetConversation',
    entry: 'functions/http/get-conversation.ts',
    access: conversationReader,
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/members',
    name: 'HttpAddMembers',
    entry: 'functions/http/add-members.ts',
    access: membershipCheckingBlocks,
    rateLimit: 'memberChange',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/members/{userId}',
    name: 'HttpRemoveMember',
    entry: 'functions/http/remove-member.ts',
    access: membershipAccess,
    rateLimit: 'memberChange',
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}/messages',
    name: 'HttpListMessages',
    entry: 'functions/http/list-messages.ts',
    access: { table: { conversations: 'read', messages: 'read' }, connections: false },
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages',
    name: 'HttpSendMessage',
    entry: 'functions/http/send-message.ts',
    access: messageSender,
    rateLimit: 'send',
  },
  {
    method: 'PATCH',
    path: '/conversations/{conversationId}/messages/{messageId}',
    name: 'HttpEditMessage',
    entry: 'functions/http/edit-message.ts',
    access: { ...messageWriter, filtersContent: true },
    rateLimit: 'edit',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/messages/{messageId}',
    name: 'HttpDeleteMessage',
    entry: 'functions/http/delete-message.ts',
    access: messageWriter,
    rateLimit: 'delete',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/read',
    name: 'HttpMarkRead',
    entry: 'functions/http/mark-read.ts',
    access: membershipAccess,
    rateLimit: 'markRead',
  },
  {
    method: 'GET',
    path: '/unread',
    name: 'HttpGetUnread',
    entry: 'functions/http/get-unread.ts',
    access: conversationReader,
  },
  {
    method: 'GET',
    path: '/presence',
    name: 'HttpGetPresence',
    entry: 'functions/http/get-presence.ts',
    access: { table: { conversations: 'read', sessions: 'read', blocks: 'read' }, connections: false },
    rateLimit: 'presenceQuery',
  },
  {
    method: 'PUT',
    path: '/blocks/{userId}',
    name: 'HttpBlockUser',
    entry: 'functions/http/block-user.ts',
    access: blockWriter,
    rateLimit: 'memberChange',
  },
  {
    method: 'DELETE',
    path: '/blocks/{userId}',
    name: 'HttpUnblockUser',
    entry: 'functions/http/unblock-user.ts',
    access: blockWriter,
    rateLimit: 'memberChange',
  },
  {
    method: 'GET',
    path: '/blocks',
    name: 'HttpListBlocks',
    entry: 'functions/http/list-blocks.ts',
    access: { table: { blocks: 'read' }, connections: false },
  },
  {
    method: 'POST',
    path: '/devices',
    name: 'HttpRegisterDevice',
    entry: 'functions/http/register-device.ts',
    access: { table: { devices: 'readWrite' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'GET',
    path: '/devices',
    name: 'HttpListDevices',
    entry: 'functions/http/list-devices.ts',
    access: { table: { devices: 'read' }, connections: false },
  },
  {
    method: 'DELETE',
    path: '/devices/{deviceId}',
    name: 'HttpRemoveDevice',
    entry: 'functions/http/remove-device.ts',
    access: { table: { devices: 'write' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'PUT',
    path: '/conversations/{conversationId}/mute',
    name: 'HttpMuteConversation',
    entry: 'functions/http/mute-conversation.ts',
    access: { table: { conversations: 'read', mutes: 'write' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/mute',
    name: 'HttpUnmuteConversation',
    entry: 'functions/http/unmute-conversation.ts',
    access: { table: { conversations: 'read', mutes: 'write' }, connections: false },
    rateLimit: 'pushSetting',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages/{messageId}/reports',
    name: 'HttpReportMessage',
    entry: 'functions/http/report-message.ts',
    access: { table: { conversations: 'read', messages: 'read', reports: 'readWrite' }, connections: false },
    rateLimit: 'report',
  },
  {
    method: 'GET',
    path: '/moderation/reports',
    name: 'HttpListReports',
    entry: 'functions/http/list-reports.ts',
    access: { table: { reports: 'read', messages: 'read' }, connections: false },
  },
  {
    method: 'POST',
    path: '/moderation/reports/{reportId}/resolve',
    name: 'HttpResolveReport',
    entry: 'functions/http/resolve-report.ts',
    access: { table: { reports: 'write', audit: 'write' }, connections: false },
    rateLimit: 'moderation',
  },
  {
    method: 'DELETE',
    path: '/moderation/messages/{conversationId}/{messageId}',
    name: 'HttpRemoveMessage',
    entry: 'functions/http/remove-message.ts',
    // Members hear of the removal through the stream fan-out, as of a deletion.
    access: { table: { messages: 'readWrite', audit: 'write' }, connections: false },
    rateLimit: 'moderation',
  },
  {
    method: 'PUT',
    path: '/moderation/suspensions/{userId}',
    name: 'HttpSuspendUser',
    entry: 'functions/http/suspend-user.ts',
    access: suspensionWriter,
    rateLimit: 'moderation',
  },
  {
    method: 'DELETE',
    path: '/moderation/suspensions/{userId}',
    name: 'HttpLiftSuspension',
    entry: 'functions/http/lift-suspension.ts',
    access: { table: { suspensions: 'write', audit: 'write' }, connections: false },
    rateLimit: 'moderation',
  },
];

/** The rate bucket of each limited route, by the route key API Gateway puts in its events. */
export const rateBucketByRouteKey: ReadonlyMap<string, RateBucket> = new Map([
  ...webSocketRoutes.flatMap((route) =>
    route.rateLimit ? [[route.routeKey, route.rateLimit] as const] : [],
  ),
  ...httpRoutes.flatMap((route) =>
    route.rateLimit ? [[`${route.method} ${route.path}`, route.rateLimit] as const] : [],
  ),
]);

/** `$connect`'s REQUEST authorizer: verifies the JWT and refuses a suspended user, touches nothing else. */
export const webSocketAuthorizer: FunctionSpec = {
  name: 'WsAuthorizer',
  entry: 'functions/auth/ws-authorizer.ts',
  access: { table: { suspensions: 'read' }, connections: false },
};

/**
 * The DynamoDB Streams consumer that delivers message events to members' connections, and stores the message of
 * a send whose function died after recording it.
 */
export const fanOutConsumer: FunctionSpec = {
  name: 'StreamFanOut',
  entry: 'functions/stream/fan-out.ts',
  access: {
    ...membershipAccess,
    table: { ...membershipAccess.table, messages: 'readWrite' },
    queuesPushes: true,
  },
};

/**
 * The table stream's second consumer: publishes domain events (new, reported and removed messages, suspensions)
 * from the items' new and old images alone, so it reads nothing.
 */
export const eventPublisher: FunctionSpec = {
  name: 'EventPublisher',
  entry: 'functions/stream/publish-events.ts',
  access: { table: {}, connections: false, publishesEvents: true },
};

/**
 * The SQS consumer that sends push notifications: reads who may get one (members now, mutes, blocks, unread
 * counts, devices), claims each push (collapse and dedup) and records SNS endpoints. Its `sns:*` access is
 * granted by its construct (infra/constructs/push.ts).
 */
export const pushWorker: FunctionSpec = {
  name: 'PushWorker',
  entry: 'functions/push/worker.ts',
  access: {
    table: {
      conversations: 'read',
      blocks: 'read',
      mutes: 'read',
      devices: 'readWrite',
      suspensions: 'read',
    },
    connections: false,
  },
};
