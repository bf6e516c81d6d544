/** Maps any thrown error to what a client may see: a domain error as it is, anything else as `internal`. */
import { DeadlineExceeded } from '../deadline.ts';
import { ChatError } from '../errors.ts';
import { logger } from '../observability.ts';

export interface ClientError {
  status: number;
  code: string;
  message: string;
}

export function toClientError(error: unknown, correlationId: string): ClientError {
  if (error instanceof DeadlineExceeded) {
    // A stall (the table slow or unreachable): worth a retry, which is safe (sends are idempotent).
    logger.error('Deadline exceeded', { correlationId });
    return {
      status: 503,
      code: 'internal',
      message: `No answer in time, try again (reference ${correlationId})`,
    };
  }
  if (error instanceof ChatError) return { status: error.status, code: error.code, message: error.message };
  // Details stay in the log; the client gets the id to quote.
  logger.error('Unhandled error', { correlationId, error: error as Error });
  return { status: 500, code: 'internal', message: `Internal error (reference ${correlationId})` };
}
