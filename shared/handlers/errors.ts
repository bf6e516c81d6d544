/** Maps any thrown error to what a client may see: a domain error as it is, anything else as `internal`. */
import { ChatError } from '../errors.ts';
import { logger } from '../observability.ts';

export interface ClientError {
  status: number;
  code: string;
  message: string;
}

export function toClientError(error: unknown, correlationId: string): ClientError {
  if (error instanceof ChatError) return { status: error.status, code: error.code, message: error.message };
  // Details stay in the log; the client gets the id to quote.
  logger.error('Unhandled error', { correlationId, error: error as Error });
  return { status: 500, code: 'internal', message: `Internal error (reference ${correlationId})` };
}
