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
  attachment: { perMinute: 'attachmentRatePerMinute', what: 'attachment uploads' },
  reaction: { perMinute: 'reactionRatePerMinute', what: 'reactions' },
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
  | 'reports'
  | 'attachments'
  | 'reactions'
  | 'mentions';

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
  /**
   * What it does with attachment objects in the bucket (`attachments/*`), each granted alone: `signUpload`
   * signs upload forms (PutObject, with its tagging), `claim` checks and tags uploads a send names and their
   * previews (a ranged GetObject, PutObjectTagging; the same tags undo a refused send's claim), `signDownload`
   * signs download links (GetObject, also its ranged read of a pending upload), `delete` deletes a deleted
   * message's objects and previews, `thumbnail` reads an upload and writes its preview (`thumbnails/*`). The
   * grants per prefix: `attachmentActions` in infra/constructs/attachments.ts. @default none
   */
  attachments?: AttachmentAccess;
}

export type AttachmentAccess = 'signUpload' | 'claim' | 'signDownload' | 'delete' | 'thumbnail';

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
export const membershipAccess: FunctionAccess = {
  table: { conversations: 'readWrite', sessions: 'read' },
  connections: true,
};
/**
 * A send delivers small conversations' messages itself (reading the members' connections) and moves a group
 * sender's read position.
 */
export const messageSender: FunctionAccess = {
  table: { conversations: 'readWrite', messages: 'readWrite', sessions: 'read', attachments: 'readWrite' },
  connections: true,
  queuesPushes: true,
  filtersContent: true,
  attachments: 'claim',
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
    table: { ...membershipAccess.table, messages: 'readWrite', mentions: 'write' },
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

/**
 * Triggered by each upload to the attachments bucket (`ObjectCreated` under `attachments/`): makes an image's
 * preview, records its size on the upload's record and, when a message already names it, on the message (whose
 * change the stream fan-out delivers as `message.updated`). The only function that ships sharp.
 */
export const thumbnailMaker: FunctionSpec = {
  name: 'ThumbnailMaker',
  entry: 'functions/attachments/make-thumbnail.ts',
  access: {
    table: { attachments: 'readWrite', messages: 'readWrite' },
    connections: false,
    attachments: 'thumbnail',
  },
};
