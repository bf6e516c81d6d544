/**
 * Every function answers before its Lambda time-out. When Lambda itself times a function out, the client gets
 * API Gateway's own answer (`{"message":"Internal server error"}` on a socket, a bare 500 or 503 over HTTP),
 * which names no send and follows no protocol shape. So each adapter gives its work a deadline a little shorter
 * than the time Lambda leaves (`context.getRemainingTimeInMillis()`), and past it answers the protocol's error
 * (`internal`) itself. Work still under way at the deadline is abandoned: whatever it writes to DynamoDB may
 * still land (sends are idempotent by `clientMessageId`, so the client's retry finds it), but nothing it would
 * post to `@connections` afterwards is sent — a send that answered `error` never acks later.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { ChatError } from './errors.ts';

/** The part of the remaining time kept back to answer and return: a tenth of it, at most 3 s. */
export function answerReserveMs(remainingMs: number): number {
  return Math.min(3_000, Math.floor(remainingMs / 10));
}

/** The work of an invocation did not finish before its deadline. */
export class DeadlineExceeded extends ChatError {
  constructor() {
    super('internal', 503, 'No answer in time');
    this.name = 'DeadlineExceeded';
  }
}

const invocation = new AsyncLocalStorage<AbortSignal>();

/** True inside work whose deadline has passed: its effects on clients must be dropped. */
export function invocationExpired(): boolean {
  return invocation.getStore()?.aborted === true;
}

/**
 * Runs `work` with a deadline of the time Lambda leaves minus `answerReserveMs`; past it, rejects with
 * `DeadlineExceeded` and marks the work expired (see `invocationExpired`). Without a Lambda context, no deadline.
 */
export async function withDeadline<T>(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  work: () => Promise<T>,
) {
  const remaining = context.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return work();
  const expiry = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        expiry.abort();
        reject(new DeadlineExceeded());
      },
      Math.max(0, remaining - answerReserveMs(remaining)),
    );
  });
  try {
    return await Promise.race([invocation.run(expiry.signal, work), expired]);
  } finally {
    clearTimeout(timer);
  }
}
