import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../../client/src/protocol.ts';
import { MessageSequencer } from '../../../client/src/sequencer.ts';

const message = (seq: number): Message => ({
  conversationId: 'c',
  messageId: `${seq}-x`,
  seq,
  senderId: 'bob',
  body: `m${seq}`,
  clientMessageId: `cm${seq}`,
  createdAt: '2026-12-01T00:00:00.000Z',
});

/**
 * A sequencer over a server whose history holds `stored` seqs; while `server.failing`, reading it fails as an
 * unreachable server does, and each failure is one of `errors`.
 */
function sequencerOver(stored: Set<number>) {
  const delivered: number[] = [];
  const errors: unknown[] = [];
  const server = { failing: false };
  const sequencer = new MessageSequencer({
    fetchAfter: async (_conversationId, afterSeq) => {
      if (server.failing) throw new TypeError('fetch failed');
      return {
        items: [...stored]
          .filter((seq) => seq > afterSeq)
          .sort((a, b) => a - b)
          .map(message),
        hasMore: false,
      };
    },
    deliver: (m) => delivered.push(m.seq),
    gapWaitMs: 1_000,
    holeWaitMs: 8_000,
    onError: (error) => errors.push(error),
  });
  return { sequencer, delivered, errors, server };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('MessageSequencer and holes in seq', () => {
  it('waits for a late message that arrives within the wait, and keeps the order', async () => {
    const stored = new Set([1, 3]);
    const { sequencer, delivered } = sequencerOver(stored);
    sequencer.receive(message(1));
    sequencer.receive(message(3));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(delivered).toEqual([1]);

    stored.add(2);
    sequencer.receive(message(2));

    expect(delivered).toEqual([1, 2, 3]);
  });

  it('looks at history again while a gap stays open, so a message stored late is delivered within seconds', async () => {
    const stored = new Set([1, 3]);
    const { sequencer, delivered } = sequencerOver(stored);
    sequencer.receive(message(1));
    sequencer.receive(message(3));
    // The first look finds nothing (its send acked, delivered to others and has not stored it yet).
    await vi.advanceTimersByTimeAsync(1_500);
    expect(delivered).toEqual([1]);

    stored.add(2);
    await vi.advanceTimersByTimeAsync(1_000);

    expect(delivered).toEqual([1, 2, 3]);
  });

  it('passes over a seq history never fills, so the messages after it are not held forever', async () => {
    const { sequencer, delivered } = sequencerOver(new Set([1, 3, 4]));
    sequencer.receive(message(1));
    sequencer.receive(message(3));
    sequencer.receive(message(4));

    await vi.advanceTimersByTimeAsync(5_000);
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(6_000);

    expect(delivered).toEqual([1, 3, 4]);
  });

  it('gives a second hole after the first its own wait, then passes over it too', async () => {
    const { sequencer, delivered } = sequencerOver(new Set([1, 3, 5]));
    sequencer.receive(message(1));
    sequencer.receive(message(3));
    sequencer.receive(message(5));

    await vi.advanceTimersByTimeAsync(11_000);
    const afterFirst = [...delivered];
    await vi.advanceTimersByTimeAsync(20_000);

    expect(afterFirst).toEqual([1, 3]);
    expect(delivered).toEqual([1, 3, 5]);
  });

  it('still delivers, once, a message that arrives after its seq was passed over', async () => {
    const { sequencer, delivered } = sequencerOver(new Set([1, 3]));
    sequencer.receive(message(1));
    sequencer.receive(message(3));
    await vi.advanceTimersByTimeAsync(20_000);

    sequencer.receive(message(2));
    sequencer.receive(message(2));
    sequencer.receive(message(3));

    expect(delivered).toEqual([1, 3, 2]);
  });

  it('reads history again after a failed read, so a quiet conversation does not wait for its next message', async () => {
    const { sequencer, delivered, errors, server } = sequencerOver(new Set([1, 2, 3]));
    sequencer.receive(message(1));
    sequencer.receive(message(3));
    server.failing = true;
    await vi.advanceTimersByTimeAsync(1_500);
    const afterFailure = [...delivered];

    server.failing = false;
    await vi.advanceTimersByTimeAsync(1_000);

    expect(afterFailure).toEqual([1]);
    expect(errors).toHaveLength(1);
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('holds messages back only holeWaitMs while history cannot be read, then delivers them', async () => {
    const { sequencer, delivered, errors, server } = sequencerOver(new Set([1, 2, 3]));
    server.failing = true;
    sequencer.receive(message(1));
    sequencer.receive(message(3));

    await vi.advanceTimersByTimeAsync(8_500);
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1_000);
    const errorsWhenPassed = errors.length;
    await vi.advanceTimersByTimeAsync(60_000);

    expect(delivered).toEqual([1, 3]);
    expect(errors.length).toBe(errorsWhenPassed); // no more reads once it passed over
  });

  it('tries a failed recovery after a reconnect again, then leaves it to the next message', async () => {
    const stored = new Set([1]);
    const { sequencer, delivered, errors, server } = sequencerOver(stored);
    sequencer.receive(message(1));
    stored.add(2); // sent while this client was away
    server.failing = true;
    await sequencer.recoverAll();
    server.failing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual([1, 2]);

    stored.add(3);
    server.failing = true;
    await sequencer.recoverAll();
    await vi.advanceTimersByTimeAsync(60_000);
    const errorsWhenGivenUp = errors.length;
    await vi.advanceTimersByTimeAsync(60_000);

    expect(errors.length).toBe(errorsWhenGivenUp);
    expect(errorsWhenGivenUp).toBeLessThan(10);
  });

  it('orders the first messages of a conversation it follows from its start, though they come out of order', async () => {
    const { sequencer, delivered } = sequencerOver(new Set([1, 2]));
    sequencer.follow('c', 0);

    sequencer.receive(message(2));
    sequencer.receive(message(1));

    expect(delivered).toEqual([1, 2]);
  });
});
