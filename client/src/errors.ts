import type { ServerError } from './protocol.ts';

/**
 * An error the server answered, with the protocol's code (`not_member`, `rate_limited`, ...): an HTTP answer other
 * than 2xx, or an `error` event the SDK has a class for (then `status` is the code's HTTP status). HTTP answers
 * that do not carry our `{"error":{"code","message"}}` envelope get a code from their status: API Gateway's own
 * `{"message":"Unauthorized"}` (401, before any function runs) and `{"message":"Not Found"}` (404, an unknown
 * route), and any other or non-JSON body (a proxy's error page, a gateway 5xx).
 */
export class ChatApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ChatApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * A moderator suspended the user (`suspended`, 403): every HTTP call answers it and sockets are refused until the
 * suspension ends or is lifted. The client stops its connection when it learns of it (no reconnecting).
 */
export class SuspendedError extends ChatApiError {
  constructor(message: string) {
    super(403, 'suspended', message);
    this.name = 'SuspendedError';
  }
}

/**
 * The content filter refused a message (`content_rejected`, 400): nothing was stored or delivered. Sending the
 * same text again would be refused again, so a refused send is not retried.
 */
export class ContentRejectedError extends ChatApiError {
  /** The refused send's id, when it came over the socket. */
  readonly clientMessageId: string | undefined;

  constructor(message: string, clientMessageId?: string) {
    super(400, 'content_rejected', message);
    this.name = 'ContentRejectedError';
    this.clientMessageId = clientMessageId;
  }
}

/** The error for a code: one of the classes above where the SDK has one for it. */
export function chatApiError(status: number, code: string, message: string): ChatApiError {
  if (code === 'suspended') return new SuspendedError(message);
  if (code === 'content_rejected') return new ContentRejectedError(message);
  return new ChatApiError(status, code, message);
}

/** An `error` event as the app gets it: a `SuspendedError` or `ContentRejectedError` when it is one. */
export function typedServerError(error: ServerError): ServerError {
  if (error.code === 'suspended') return new SuspendedError(error.message);
  if (error.code === 'content_rejected')
    return new ContentRejectedError(error.message, error.clientMessageId);
  return error;
}

/** A failure of one of the client's own fetches, as its `error` event carries it (`network` when unreachable). */
export function describeError(error: unknown): ServerError {
  if (error instanceof ChatApiError) return { code: error.code, message: error.message };
  return { code: 'network', message: error instanceof Error ? error.message : String(error) };
}
