/** The typing port's contract (`TypingRepository`), the same on every hot-state backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypingRepository } from '../../shared/domain/ports.ts';
import { type HotState, hotStateBackends } from '../support/hot-state.ts';

const conversation = () => `c-${Math.random().toString(36).slice(2, 10)}`;

describe.each(hotStateBackends)('typing on $name', ({ connect }) => {
  let backend: HotState;
  let typing: TypingRepository;
  beforeAll(async () => {
    backend = await connect();
    typing = backend.typing();
  });
  afterAll(() => backend.close());

  const startAt = (conversationId: string, nowMs: number, lastsMs = 6000) =>
    typing.start({ conversationId, userId: 'typist', nowMs, expiresAtMs: nowMs + lastsMs, coalesceMs: 3000 });

  it('coalesces repeated signals within the window and broadcasts again once it has passed', async () => {
    const id = conversation();
    const started = Date.now();

    expect(await startAt(id, started)).toBe(true);
    expect(await startAt(id, started)).toBe(false);
    expect(await startAt(id, started + 2999)).toBe(false);
    expect(await startAt(id, started + 3001)).toBe(true);
  });

  it('broadcasts once for signals at the same moment, from any number of containers', async () => {
    const id = conversation();
    const now = Date.now();
    const containers = [typing, backend.typing(), backend.typing()];

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (containers[i % 3] as TypingRepository).start({
          conversationId: id,
          userId: 'typist',
          nowMs: now,
          expiresAtMs: now + 6000,
          coalesceMs: 3000,
        }),
      ),
    );

    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('keeps the first expiry when a signal is coalesced: the stop after it is not broadcast', async () => {
    const id = conversation();
    const now = Date.now();
    await startAt(id, now);
    expect(await startAt(id, now + 1000)).toBe(false);

    expect(await typing.stop({ conversationId: id, userId: 'typist', nowMs: now + 6500 })).toBe(false);
  });

  it('broadcasts a new signal within the window once the last one has expired', async () => {
    const id = conversation();
    const now = Date.now();
    await startAt(id, now, 1000);

    expect(await startAt(id, now + 1500)).toBe(true);
  });

  it('broadcasts the stop of a live signal once', async () => {
    const id = conversation();
    const now = Date.now();
    await startAt(id, now);
    const stop = () => typing.stop({ conversationId: id, userId: 'typist', nowMs: now + 100 });

    expect(await stop()).toBe(true);
    expect(await stop()).toBe(false);
    expect(await startAt(id, now + 200)).toBe(true);
  });

  it('treats an expired typing signal as absent: stopping it is not broadcast', async () => {
    const now = Date.now();
    const signal = { conversationId: conversation(), userId: 'u' };
    await typing.start({ ...signal, nowMs: now, expiresAtMs: now + 100, coalesceMs: 3000 });
    expect(await typing.stop({ ...signal, nowMs: now + 200 })).toBe(false);
  });
});
