import { describe, expect, it } from 'vitest';
import {
  closeExpiredConnections,
  endExpiredConnection,
  sweepLookbackMs,
  tokenHasExpired,
} from '../../../shared/domain/token-expiry.ts';
import type { InMemoryConnectionExpiry, RecordingCloser } from '../../support/in-memory-expiry.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

function chat() {
  const c = inMemoryChat({ startMs: Date.UTC(2026, 0, 1, 12) });
  return {
    ...c,
    expiry: c.ctx.connectionExpiry as InMemoryConnectionExpiry,
    closer: c.ctx.connectionCloser as RecordingCloser,
  };
}

const expired = { type: 'error', code: 'unauthorized', message: expect.stringContaining('expired') };

describe('tokenHasExpired', () => {
  it('holds before exp only; a token of unknown expiry does not hold', () => {
    expect(tokenHasExpired(1_000, 999)).toBe(false);
    expect(tokenHasExpired(1_000, 1_000)).toBe(true);
    expect(tokenHasExpired(undefined, 0)).toBe(true);
  });
});

describe('endExpiredConnection', () => {
  it('tells the connection why, naming the frame, and then closes it', async () => {
    const c = chat();
    await endExpiredConnection(
      c.ctx,
      { userId: 'u', connectionId: 'c1' },
      { action: 'sendMessage', clientMessageId: 'm1' },
    );
    expect(c.notifier.eventsAt('c1')).toEqual([{ ...expired, action: 'sendMessage', clientMessageId: 'm1' }]);
    expect(c.closer.closed).toEqual(['c1']);
  });
});

describe('closeExpiredConnections', () => {
  it('ends the connections whose token expired within the lookback, and only those', async () => {
    const c = chat();
    const now = c.clock.now();
    const at = (connectionId: string, tokenExpiresAtMs: number) =>
      c.expiry.schedule({ userId: `user-of-${connectionId}`, connectionId, tokenExpiresAtMs });
    await at('just-expired', now - 1_000);
    await at('expires-now', now);
    await at('expires-later', now + 1_000);
    await at('long-gone', now - sweepLookbackMs - 1);

    expect(await closeExpiredConnections(c.ctx)).toEqual({ closed: 2, failed: 0 });
    expect(c.closer.closed.sort()).toEqual(['expires-now', 'just-expired']);
    expect(c.notifier.eventsAt('just-expired')).toEqual([expired]);
    expect(c.notifier.eventsAt('expires-later')).toEqual([]);
    // Closed ones are forgotten: the next sweep closes nothing again.
    expect([...c.expiry.scheduled.keys()].sort()).toEqual(['expires-later', 'long-gone']);
    expect(await closeExpiredConnections(c.ctx)).toEqual({ closed: 0, failed: 0 });
  });

  it('leaves a connection it could not close to the next sweep, and still closes the others', async () => {
    const c = chat();
    const now = c.clock.now();
    await c.expiry.schedule({ userId: 'u', connectionId: 'stuck', tokenExpiresAtMs: now - 10 });
    await c.expiry.schedule({ userId: 'u', connectionId: 'fine', tokenExpiresAtMs: now - 10 });
    const close = c.closer.close.bind(c.closer);
    c.closer.close = async (id) => (id === 'stuck' ? Promise.reject(new Error('throttled')) : close(id));

    expect(await closeExpiredConnections(c.ctx)).toEqual({ closed: 1, failed: 1 });
    expect([...c.expiry.scheduled.keys()]).toEqual(['stuck']);
  });
});
