/**
 * The route table, declared once: which function serves each WebSocket and HTTP route, and what AWS access
 * that function needs. The CDK stack wires and grants from it; the local gateway dispatches from it.
 */

/** What a function may do: nothing, `read` or `readWrite` on the table, and whether it posts to `@connections`. */
interface FunctionAccess {
  table: 'none' | 'read' | 'readWrite';
  connections: boolean;
}

export interface FunctionSpec {
  /** Stable name used for the CDK construct id and in logs. */
  name: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  access: FunctionAccess;
}

export interface WebSocketRoute extends FunctionSpec {
  routeKey: string;
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRoute extends FunctionSpec {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/conversations/{conversationId}`. */
  path: string;
}

const readWriteAndPush: FunctionAccess = { table: 'readWrite', connections: true };
const readOnly: FunctionAccess = { table: 'read', connections: false };
const readWrite: FunctionAccess = { table: 'readWrite', connections: false };

/** The action field of a frame selects the route (`$request.body.action`). */
export const routeSelectionExpression = '$request.body.action';

export const webSocketRoutes: readonly WebSocketRoute[] = [
  { routeKey: '$connect', name: 'WsConnect', entry: 'functions/ws/connect.ts', access: readWriteAndPush },
  {
    routeKey: '$disconnect',
    name: 'WsDisconnect',
    entry: 'functions/ws/disconnect.ts',
    access: readWriteAndPush,
  },
  {
    routeKey: '$default',
    name: 'WsDefault',
    entry: 'functions/ws/default.ts',
    access: { table: 'read', connections: true },
  },
  {
    routeKey: 'sendMessage',
    name: 'WsSendMessage',
    entry: 'functions/ws/send-message.ts',
    access: readWriteAndPush,
  },
  { routeKey: 'typing', name: 'WsTyping', entry: 'functions/ws/typing.ts', access: readWriteAndPush },
  { routeKey: 'markRead', name: 'WsMarkRead', entry: 'functions/ws/mark-read.ts', access: readWriteAndPush },
  {
    routeKey: 'heartbeat',
    name: 'WsHeartbeat',
    entry: 'functions/ws/heartbeat.ts',
    access: readWriteAndPush,
  },
];

export const httpRoutes: readonly HttpRoute[] = [
  {
    method: 'POST',
    path: '/conversations',
    name: 'HttpCreateConversation',
    entry: 'functions/http/create-conversation.ts',
    access: readWriteAndPush,
  },
  {
    method: 'GET',
    path: '/conversations',
    name: 'HttpListConversations',
    entry: 'functions/http/list-conversations.ts',
    access: readOnly,
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}',
    name: 'HttpGetConversation',
    entry: 'functions/http/get-conversation.ts',
    access: readOnly,
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/members',
    name: 'HttpAddMembers',
    entry: 'functions/http/add-members.ts',
    access: readWriteAndPush,
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/members/{userId}',
    name: 'HttpRemoveMember',
    entry: 'functions/http/remove-member.ts',
    access: readWriteAndPush,
  },
  {
    method: 'GET',
    path: '/conversations/{conversationId}/messages',
    name: 'HttpListMessages',
    entry: 'functions/http/list-messages.ts',
    access: readOnly,
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages',
    name: 'HttpSendMessage',
    entry: 'functions/http/send-message.ts',
    access: readWrite,
  },
  {
    method: 'PATCH',
    path: '/conversations/{conversationId}/messages/{messageId}',
    name: 'HttpEditMessage',
    entry: 'functions/http/edit-message.ts',
    access: readWrite,
  },
  {
    method: 'DELETE',
    path: '/conversations/{conversationId}/messages/{messageId}',
    name: 'HttpDeleteMessage',
    entry: 'functions/http/delete-message.ts',
    access: readWrite,
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/read',
    name: 'HttpMarkRead',
    entry: 'functions/http/mark-read.ts',
    access: readWriteAndPush,
  },
  {
    method: 'GET',
    path: '/unread',
    name: 'HttpGetUnread',
    entry: 'functions/http/get-unread.ts',
    access: readOnly,
  },
  {
    method: 'GET',
    path: '/presence',
    name: 'HttpGetPresence',
    entry: 'functions/http/get-presence.ts',
    access: readOnly,
  },
];

/** `$connect`'s REQUEST authorizer: verifies the JWT, touches nothing else. */
export const webSocketAuthorizer: FunctionSpec = {
  name: 'WsAuthorizer',
  entry: 'functions/auth/ws-authorizer.ts',
  access: { table: 'none', connections: false },
};

/** The DynamoDB Streams consumer that delivers message events to members' connections. */
export const fanOutConsumer: FunctionSpec = {
  name: 'StreamFanOut',
  entry: 'functions/stream/fan-out.ts',
  access: readWriteAndPush,
};
