import { describe, expect, it } from 'vitest';
import { connect, heartbeat } from '../../../shared/domain/presence.ts';
import type { RecordingCloser } from '../../support/in-memory-expiry.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

/** A chat whose user `ada` opens `n` sockets a second apart: `ada-1` is the oldest. */
async function openSockets(n: number, settings = {}) {
  const chat = inMemoryChat({ settings });
  const open = async (i: number) => {
    await connect(chat.ctx, { userId: 'ada', connectionId: `ada-${i}` });
    chat.clock.advance(1000);
  };
  for (let i = 1; i <= n; i++) await open(i);
  const live = async () =>
    (await chat.ctx.sessions.getMany(['ada'], chat.clock.now()))
      .get('ada')
      ?.connections.map((c) => c.connectionId);
  return { chat, open, live, closed: (chat.ctx.connectionCloser as RecordingCloser).closed };
}

describe('at most maxConnectionsPerUser connections per user', () => {
  it('accepts the 11th and 12th, telling the two oldest rate_limited and closing them', async () => {
    const { chat, live, closed } = await openSockets(12);

    expect(await live()).toEqual([
      'ada-3',
      'ada-4',
      'ada-5',
      'ada-6',
      'ada-7',
      'ada-8',
      'ada-9',
      'ada-10',
      'ada-11',
      'ada-12',
    ]);
    expect(closed).toEqual(['ada-1', 'ada-2']);
    for (const old of ['ada-1', 'ada-2']) {
      expect(chat.notifier.eventsAt(old)).toEqual([
        { type: 'error', code: 'rate_limited', message: expect.stringMatching(/too many connections/i) },
      ]);
    }
    expect(chat.notifier.eventsAt('ada-12')).toEqual([]);
  });

  it('displaces the least recently renewed, not the first opened: a heartbeat keeps a socket', async () => {
    const { chat, open, live, closed } = await openSockets(10);
    await heartbeat(chat.ctx, { userId: 'ada', connectionId: 'ada-1', reply: false });

    await open(11);

    expect(closed).toEqual(['ada-2']);
    expect(await live()).toContain('ada-1');
  });

  it('displaces nothing when one of ten renews itself', async () => {
    const { chat, live, closed } = await openSockets(10);

    await heartbeat(chat.ctx, { userId: 'ada', connectionId: 'ada-5', reply: false });

    expect(closed).toEqual([]);
    expect(await live()).toHaveLength(10);
  });

  it('follows the setting', async () => {
    const { live, closed } = await openSockets(5, { maxConnectionsPerUser: 3 });

    expect(await live()).toEqual(['ada-3', 'ada-4', 'ada-5']);
    expect(closed).toEqual(['ada-1', 'ada-2']);
  });
});
