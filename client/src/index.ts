export type {
  AttachmentFile,
  IssuedUpload,
  UploadedAttachment,
  UploadOptions,
  UploadProgress,
  UploadRetryOptions,
} from './attachments.ts';
export type { BackoffOptions } from './backoff.ts';
export { backoffDelay } from './backoff.ts';
export { ChatClient, createChatClient } from './client.ts';
export type { ConnectionStatus } from './connection.ts';
export { ChatApiError, ContentRejectedError, SuspendedError } from './errors.ts';
export type { ChatEvents } from './events.ts';
export {
  type FileFetch,
  type FileResponse,
  type FileTransport,
  type FormUpload,
  fetchFileTransport,
  type XhrLike,
  xhrFileTransport,
} from './file-transport.ts';
export { defaultMaxConnectionAgeMs, handoverLeadMs, tokenLeadMs } from './handover.ts';
export type { HistoryPager } from './history.ts';
export { ChatApi, type ChatApiOptions, type FetchLike } from './http-api.ts';
export type { WebSocketConstructor, WebSocketLike } from './link.ts';
export { defaultHeartbeatIntervalMs, defaultPongTimeoutMs } from './liveness.ts';
export type { ModerationApi } from './moderation-api.ts';
export {
  type ChatClientOptions,
  createClientMessageId,
  defaultAckTimeoutMs,
  defaultProbeDelayMs,
  serverFunctionTimeoutMs,
} from './options.ts';
export type { OutgoingMessage, OutgoingStatus, OutgoingUpload } from './outbox.ts';
export type * from './protocol.ts';
export type { MessageOptions } from './sends.ts';
export type { TokenProvider, TokenRequest } from './token.ts';
