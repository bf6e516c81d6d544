import { afterEach, describe, expect, it, vi } from 'vitest';
import { FunctionTimedOut, LocalFunctions, lambdaContext } from '../../../local/lambda.ts';

const loggingEntry = 'test/unit/local/fixtures/logging-function.ts';

/** The structured log lines written while `run` runs. */
async function captureLogs(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe('LocalFunctions', () => {
  it('logs each invocation under its own function name, however invocations overlap', async () => {
    const functions = new LocalFunctions();
    await functions.load([
      { name: 'WsSendMessage', entry: loggingEntry, access: { table: {}, connections: false } },
      { name: 'StreamFanOut', entry: loggingEntry, access: { table: {}, connections: false } },
    ]);
    const logs = await captureLogs(() =>
      // The send starts first and logs last, after the fan-out started (and finished) in the same process.
      Promise.all([
        functions.invoke('WsSendMessage', { waitMs: 150, tag: 'from-send' }),
        functions.invoke('StreamFanOut', { waitMs: 20, tag: 'from-fan-out' }),
      ]),
    );
    const errors = logs.filter((line) => line.message === 'Unhandled error');
    expect(errors).toHaveLength(2);
    const nameOf = (tag: string) =>
      errors.find((line) => (line.error as { message?: string }).message === tag)?.function_name;
    expect(nameOf('from-send')).toBe('WsSendMessage');
    expect(nameOf('from-fan-out')).toBe('StreamFanOut');
  });

  it('fails an invocation at the function time-out, as Lambda does, and does not wait for it to drain', async () => {
    const functions = new LocalFunctions({ timeoutMs: 100 });
    await functions.load([
      {
        name: 'Hanging',
        entry: 'test/unit/local/fixtures/hanging-function.ts',
        access: { table: {}, connections: false },
      },
    ]);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const startedAt = Date.now();
    await expect(functions.invoke('Hanging', {})).rejects.toBeInstanceOf(FunctionTimedOut);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(95);
    expect(functions.timeouts.get('Hanging')).toBe(1);
    await functions.drain();
  });

  it('gives the function the time it has left, counting down from its time-out', () => {
    const context = lambdaContext('Logging', 5_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(5_000);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(4_900);
  });
});
