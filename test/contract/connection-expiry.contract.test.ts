/** The connection-expiry port's contract (`ConnectionExpiryRepository`), the same on every hot-state backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionExpiryRepository } from '../../shared/domain/ports.ts';
import { type HotState, hotStateBackends } from '../support/hot-state.ts';

const minute = Date.UTC(2026, 0, 1, 12, 0);

describe.each(hotStateBackends)('connection expiry on $name', ({ connect }) => {
  let backend: HotState;
  let expiry: ConnectionExpiryRepository;
  const now = minute;
  beforeAll(async () => {
    backend = await connect();
    expiry = backend.connectionExpiry(() => now);
  });
  afterAll(() => backend.close());

  const id = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

  it('answers the connections expiring in [from, to), across minutes, and none outside', async () => {
    const ids = Object.fromEntries(
      ['before', 'first', 'same-ms', 'next-minute', 'last', 'after'].map((name) => [name, id(name)]),
    );
    const at = (name: string, tokenExpiresAtMs: number) =>
      expiry.schedule({ userId: 'u', connectionId: ids[name] as string, tokenExpiresAtMs });
    await at('before', minute - 1);
    await at('first', minute);
    await at('same-ms', minute);
    await at('next-minute', minute + 60_000 + 500);
    await at('last', minute + 120_000 - 1);
    await at('after', minute + 120_000);

    const due = await expiry.expiredBetween({ fromMs: minute, toMs: minute + 120_000 });
    const mine = new Set(Object.values(ids));
    expect(
      due
        .filter((c) => mine.has(c.connectionId))
        .map((c) => c.connectionId)
        .sort(),
    ).toEqual([ids.first, ids.last, ids['next-minute'], ids['same-ms']].sort());
    expect(due.find((c) => c.connectionId === ids['next-minute'])).toEqual({
      userId: 'u',
      connectionId: ids['next-minute'],
      tokenExpiresAtMs: minute + 60_500,
    });
  });

  it('forgets a connection: the sweep no longer sees it', async () => {
    const connectionId = id('closed');
    const expiresAt = minute + 5 * 60_000;
    await expiry.schedule({ userId: 'u', connectionId, tokenExpiresAtMs: expiresAt });
    await expiry.forget({ connectionId, tokenExpiresAtMs: expiresAt });

    const due = await expiry.expiredBetween({ fromMs: expiresAt, toMs: expiresAt + 1 });
    expect(due.map((c) => c.connectionId)).not.toContain(connectionId);
  });

  it('answers a connection renewed with a later token at its new expiry only', async () => {
    const connectionId = id('renewed');
    await expiry.schedule({ userId: 'u', connectionId, tokenExpiresAtMs: minute + 1_000 });
    await expiry.forget({ connectionId, tokenExpiresAtMs: minute + 1_000 });
    await expiry.schedule({ userId: 'u', connectionId, tokenExpiresAtMs: minute + 90_000 });

    const early = await expiry.expiredBetween({ fromMs: minute, toMs: minute + 2_000 });
    const later = await expiry.expiredBetween({ fromMs: minute + 89_000, toMs: minute + 91_000 });
    expect(early.map((c) => c.connectionId)).not.toContain(connectionId);
    expect(later.map((c) => c.connectionId)).toContain(connectionId);
  });
});
