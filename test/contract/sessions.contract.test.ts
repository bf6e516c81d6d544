/**
 * The sessions port's contract (`SessionRepository` and the sender's `GoneConnectionPruner`): connections and the
 * presence derived from them, the same on every hot-state backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../shared/domain/limits.ts';
import type { SessionStore } from '../../shared/domain/ports.ts';
import { type HotState, hotStateBackends } from '../support/hot-state.ts';

const user = () => `u-${Math.random().toString(36).slice(2, 10)}`;
const ttlMs = 1_200_000;

describe.each(hotStateBackends)('sessions on $name', ({ connect }) => {
  let backend: HotState;
  let sessions: SessionStore;
  beforeAll(async () => {
    backend = await connect();
    sessions = backend.sessions();
  });
  afterAll(() => backend.close());

  const put = (userId: string, connectionId: string, nowMs: number, maxConnections = 10, store = sessions) =>
    store.putConnection({ userId, connectionId, expiresAtMs: nowMs + ttlMs, nowMs, maxConnections });
  const remove = (userId: string, connectionId: string, nowMs: number) =>
    sessions.removeConnection({ userId, connectionId, nowMs });
  const sessionOf = async (userId: string, nowMs: number, store = sessions) =>
    (await store.getMany([userId], nowMs, { consistent: true })).get(userId);
  const idsOf = (session: { connections: { connectionId: string }[] } | undefined) =>
    session?.connections.map((c) => c.connectionId).sort();

  it('records a connection, renews it and forgets it, with lastSeenAt at each', async () => {
    const userId = user();
    const now = Date.now();

    expect(await put(userId, 'a', now)).toEqual({ wasOnline: false, displaced: [] });
    expect(await put(userId, 'a', now + 60_000)).toEqual({ wasOnline: true, displaced: [] });
    expect(await sessionOf(userId, now + 61_000)).toEqual({
      userId,
      connections: [{ userId, connectionId: 'a', expiresAtMs: now + 60_000 + ttlMs }],
      online: true,
      lastSeenAt: new Date(now + 60_000).toISOString(),
    });

    expect(await remove(userId, 'a', now + 90_000)).toEqual({ stillOnline: false });
    expect(await sessionOf(userId, now + 91_000)).toEqual({
      userId,
      connections: [],
      online: false,
      lastSeenAt: new Date(now + 90_000).toISOString(),
    });
  });

  it('is online while any connection is: wasOnline on the second, stillOnline until the last goes', async () => {
    const userId = user();
    const now = Date.now();

    expect((await put(userId, 'phone', now)).wasOnline).toBe(false);
    expect((await put(userId, 'laptop', now + 1)).wasOnline).toBe(true);
    expect(await remove(userId, 'phone', now + 2)).toEqual({ stillOnline: true });
    expect(await remove(userId, 'laptop', now + 3)).toEqual({ stillOnline: false });
  });

  it('answers a disconnect of a user it never saw as offline, and records nothing for them', async () => {
    const userId = user();
    const now = Date.now();

    expect(await remove(userId, 'never', now)).toEqual({ stillOnline: false });
    expect(await sessionOf(userId, now)).toEqual({
      userId,
      connections: [],
      online: false,
      lastSeenAt: null,
    });
  });

  it('lets presence expire but keeps delivering to the connection until no connection can be that old', async () => {
    const userId = user();
    const now = Date.now();
    await sessions.putConnection({
      userId,
      connectionId: 'quiet',
      expiresAtMs: now + 1000,
      nowMs: now,
      maxConnections: 10,
    });

    const afterPresence = await sessionOf(userId, now + 2000);
    expect(afterPresence?.online).toBe(false);
    expect(idsOf(afterPresence)).toEqual(['quiet']);
    expect(idsOf(await sessionOf(userId, now + 1000 + limits.maxConnectionAgeMs + 1))).toEqual([]);
  });

  it('counts a connection whose presence expired as offline: its renewal brings the user back online', async () => {
    const userId = user();
    const now = Date.now();
    await sessions.putConnection({
      userId,
      connectionId: 'a',
      expiresAtMs: now + 1000,
      nowMs: now,
      maxConnections: 10,
    });

    expect((await put(userId, 'a', now + 5000)).wasOnline).toBe(false);
    expect((await sessionOf(userId, now + 6000))?.online).toBe(true);
  });

  it('displaces the least recently renewed connections past the cap, and answers them', async () => {
    const userId = user();
    const now = Date.now();
    for (const [i, id] of ['a', 'b', 'c'].entries()) await put(userId, id, now + i * 1000, 3);
    await put(userId, 'a', now + 3000, 3);

    const answer = await put(userId, 'd', now + 4000, 3);

    expect(answer.displaced).toEqual([{ userId, connectionId: 'b', expiresAtMs: now + 1000 + ttlMs }]);
    expect(idsOf(await sessionOf(userId, now + 5000))).toEqual(['a', 'c', 'd']);
  });

  it('shares connections across containers; of simultaneous first connects exactly one finds the user offline', async () => {
    const userId = user();
    const now = Date.now();
    const containers = [sessions, backend.sessions(), backend.sessions()];

    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => put(userId, `c${i}`, now, 10, containers[i % 3])),
    );

    expect(answers.filter((a) => !a.wasOnline)).toHaveLength(1);
    for (const container of containers) {
      expect(idsOf(await sessionOf(userId, now + 1, container))).toEqual([
        'c0',
        'c1',
        'c2',
        'c3',
        'c4',
        'c5',
      ]);
    }
  });

  it('reads many users at once, those without connections included', async () => {
    const [twice, never, gone] = [user(), user(), user()];
    const now = Date.now();
    await put(twice, 'x', now);
    await put(twice, 'y', now);
    await put(gone, 'z', now);
    await remove(gone, 'z', now + 10);

    const many = await sessions.getMany([twice, never, gone], now + 20);

    expect([...many.keys()]).toEqual([twice, never, gone]);
    expect(idsOf(many.get(twice))).toEqual(['x', 'y']);
    expect(many.get(never)).toEqual({ userId: never, connections: [], online: false, lastSeenAt: null });
    expect(many.get(gone)).toMatchObject({
      connections: [],
      online: false,
      lastSeenAt: new Date(now + 10).toISOString(),
    });
    expect(await sessions.getMany([], now)).toEqual(new Map());
  });

  it('forgets a connection that answered 410 Gone, unless it was renewed since', async () => {
    const userId = user();
    const now = Date.now();
    await put(userId, 'stale', now);
    await put(userId, 'fresh', now + 20_000);

    for (const connectionId of ['stale', 'fresh']) {
      await sessions.removeGoneConnection({ userId, connectionId, renewedBeforeMs: now + 10_000, ttlMs });
    }

    expect(idsOf(await sessionOf(userId, now + 21_000))).toEqual(['fresh']);
  });
});
