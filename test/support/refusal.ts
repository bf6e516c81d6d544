/** The ChatError a use case refused with; fails the test when it did not refuse. */
import { expect } from 'vitest';
import { ChatError } from '../../shared/errors.ts';

export async function refusal(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChatError);
    return error as ChatError;
  }
  throw new Error('expected the use case to refuse');
}

/** What a client sees of an error: two refusals that look alike here reveal nothing apart. */
export const seenByClient = (error: ChatError) => ({
  code: error.code,
  status: error.status,
  message: error.message,
});
