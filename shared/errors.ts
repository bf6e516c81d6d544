/** Domain errors: each has a protocol error code and the HTTP status it maps to. */

export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_member'
  | 'not_found'
  | 'validation_failed'
  | 'payload_too_large'
  | 'rate_limited'
  | 'conflict'
  | 'suspended'
  | 'content_rejected'
  | 'internal';

export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

export const validationFailed = (field: string, problem: string) =>
  new ChatError('validation_failed', 400, `${field}: ${problem}`);
export const payloadTooLarge = (what: string, limitBytes: number) =>
  new ChatError('payload_too_large', 413, `${what} exceeds ${limitBytes} bytes`);
/** One answer for "no such conversation" and "not yours", so a non-member learns nothing. */
export const notMember = () =>
  new ChatError('not_member', 403, 'You are not a member of this conversation or it does not exist');
export const forbidden = (why: string) => new ChatError('forbidden', 403, why);
export const notFound = (what: string) => new ChatError('not_found', 404, `${what} not found`);
export const rateLimited = (what: string) =>
  new ChatError('rate_limited', 429, `Too many ${what}; slow down`);
export const conflict = (why: string) => new ChatError('conflict', 409, why);
export const unauthorized = () => new ChatError('unauthorized', 401, 'Missing or invalid token');
/** The caller is suspended by a moderator; `until` when the suspension ends by itself. */
export const suspended = (until?: string) =>
  new ChatError('suspended', 403, until ? `You are suspended until ${until}` : 'You are suspended');
/** The content filter refused the text; the answer does not say which rule, so it cannot be probed cheaply. */
export const contentRejected = () =>
  new ChatError('content_rejected', 400, 'This message was refused by the content filter');
