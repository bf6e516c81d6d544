import { describe, expect, it } from 'vitest';
import { limits } from '../../../shared/domain/limits.ts';
import { ChatError } from '../../../shared/errors.ts';
import { decodeJson } from '../../../shared/handlers/json.ts';

/** What `call` throws (a domain error, or the test fails). */
function thrown(call: () => unknown): ChatError {
  let error: unknown;
  try {
    call();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ChatError);
  return error as ChatError;
}

const atLimit = (extra: number) => JSON.stringify('x'.repeat(limits.maxPayloadBytes - 2 + extra));

describe('decodeJson', () => {
  it.each(['frame', 'request body'] as const)('checks the size of a %s before parsing it', (what) => {
    expect(thrown(() => decodeJson(atLimit(1), { what }))).toMatchObject({
      code: 'payload_too_large',
      status: 413,
      message: `${what} exceeds ${limits.maxPayloadBytes} bytes`,
    });
  });

  it('names the field `body` when a request body is not JSON', () => {
    expect(thrown(() => decodeJson('{', { what: 'request body' }))).toMatchObject({
      code: 'validation_failed',
      message: 'body: is not valid JSON',
    });
  });

  it('takes any JSON value as a request body, only an object as a frame', () => {
    expect(decodeJson(atLimit(0), { what: 'request body' })).toHaveLength(limits.maxPayloadBytes - 2);
    expect(decodeJson('[1]', { what: 'request body' })).toEqual([1]);
    expect(thrown(() => decodeJson('[1]', { what: 'frame' })).message).toBe('frame: must be a JSON object');
    expect(decodeJson('{"action":"heartbeat"}', { what: 'frame' })).toEqual({ action: 'heartbeat' });
  });
});
