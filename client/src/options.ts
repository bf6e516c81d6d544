import type { UploadRetryOptions } from './attachments.ts';
import type { BackoffOptions } from './backoff.ts';
import type { FileTransport } from './file-transport.ts';
import type { FetchLike } from './http-api.ts';
import type { WebSocketConstructor } from './link.ts';
import type { TokenProvider } from './token.ts';

export interface ChatClientOptions {
  /** Base URL of the HTTP API, e.g. `https://api.example.com` or `http://127.0.0.1:3000`. */
  httpUrl: string;
  /** URL of the WebSocket API, e.g. `wss://ws.example.com/prod`; the token is added as `?token=`. */
  wsUrl: string;
  /** The signed-in user (the token's `sub`): their own messages are never unread. */
  userId: string;
  /**
   * Called before every connection attempt and every HTTP request; cache inside it if fetching is costly, but
   * not when asked `forceRefresh` (the last token was refused, or the socket's token nears its `exp`). A JWT's
   * `exp` is read (not verified): shortly before it (a minute, less for short tokens) the client moves to a new
   * socket with a fresh token, without a gap. A refused HTTP request (401) is retried once with a fresh token.
   */
  getToken: TokenProvider;
  /** Defaults to `globalThis.WebSocket`; pass `ws`'s `WebSocket` on Node before 22. */
  WebSocket?: WebSocketConstructor;
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchLike;
  /**
   * Heartbeat period until the server names its own in the first `pong` (`heartbeatIntervalSeconds`), which then
   * wins. Heartbeats only keep API Gateway's 10-minute idle timeout away. @default 540000 (9 minutes)
   */
  heartbeatIntervalMs?: number;
  /** `checkConnection()` treats the socket as dead when its `pong` does not come within this. @default 10000 */
  pongTimeoutMs?: number;
  /** A send without ack for this long makes the client check the connection. @default 5000 */
  probeDelayMs?: number;
  /**
   * The gateway's maximum connection age (API Gateway: 2 hours). Shortly before it (5 minutes, or a quarter of
   * a shorter age) the client opens its next connection and moves over without a gap. @default 7200000
   */
  maxConnectionAgeMs?: number;
  /** Reconnection backoff. @default { initialDelayMs: 1000, maxDelayMs: 30000 } */
  reconnect?: Partial<BackoffOptions>;
  /** A sent message without ack for this long turns `failed` with code `timeout`. @default defaultAckTimeoutMs */
  ackTimeoutMs?: number;
  /** How long a gap in `seq` may wait for the missing messages before fetching them. @default 1000 */
  gapWaitMs?: number;
  /**
   * How long a gap history does not fill may stay open before the missing seqs count as holes (see the server
   * README's message path) and later messages are delivered; a message at a hole that arrives later is still
   * delivered. @default 15000
   */
  holeWaitMs?: number;
  /** Typing: resend period while typing, idle time that stops it, and how long others' typing shows. */
  typing?: { refreshMs?: number; idleMs?: number; showForMs?: number };
  /** Uploads and downloads files. @default XMLHttpRequest where there is one (real progress), else fetch */
  fileTransport?: FileTransport;
  /** Tries of a failed upload step. @default { retries: 3, initialDelayMs: 1000, maxDelayMs: 8000 } */
  uploadRetry?: Partial<UploadRetryOptions>;
  /** Makes `clientMessageId`s. @default crypto.randomUUID where available */
  createId?: () => string;
}

/**
 * The server's functions time out after 30 s (the stack's Lambda time-out). Before that a stalled send is
 * answered with an `error` event, code `internal`, naming its `clientMessageId` (the server keeps a tenth of the
 * time, at most 3 s, to answer), which marks the send `failed` at once; `retry` sends it again with the same id,
 * and the server stores it once. So every send is answered, ack or error, within the function time-out: the
 * ack time-out waits that long plus a round trip, and a send that is only slow is never shown failed. Only a
 * frame or an answer lost on the way (a socket gone silent) waits this long to fail with `timeout`.
 */
export const serverFunctionTimeoutMs = 30_000;
export const defaultAckTimeoutMs = serverFunctionTimeoutMs + 2_000;
/**
 * A send normally has its ack within a second; after this long without one the client checks the connection,
 * so a dead socket is found `defaultProbeDelayMs + pongTimeoutMs` after a send, long before the ack time-out.
 */
export const defaultProbeDelayMs = 5_000;

/** A unique `clientMessageId`: a UUID where `crypto.randomUUID` exists (browsers, Node), else random base-36. */
export function createClientMessageId(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  // React Native has no `crypto` without a polyfill; uniqueness among one user's sends is all that is needed.
  const random = () => Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${random()}${random()}`;
}
