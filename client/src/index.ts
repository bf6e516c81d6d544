export type { BackoffOptions } from './backoff.ts';
export { backoffDelay } from './backoff.ts';
export {
  ChatClient,
  type ChatClientOptions,
  type ChatEvents,
  createChatClient,
  createClientMessageId,
  defaultAckTimeoutMs,
  defaultProbeDelayMs,
  serverFunctionTimeoutMs,
} from './client.ts';
export {
  type ConnectionStatus,
  defaultHeartbeatIntervalMs,
  defaultMaxConnectionAgeMs,
  defaultPongTimeoutMs,
  handoverLeadMs,
  type TokenProvider,
  type WebSocketConstructor,
  type WebSocketLike,
} from './connection.ts';
export type { HistoryPager } from './history.ts';
export { ChatApi, ChatApiError, type ChatApiOptions, type FetchLike } from './http-api.ts';
export type { OutgoingMessage, OutgoingStatus } from './outbox.ts';
export type * from './protocol.ts';
