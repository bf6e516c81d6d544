/**
 * Suspensions on in-memory ports: only moderators suspend and lift, what a suspension may say, the audit trail,
 * the user's sockets told and closed, `$connect` refused once more after recording, HTTP refused, no pushes, and
 * the end of a timed suspension restoring everything.
 */
import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { registerDevice } from '../../../shared/domain/devices.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import { sendPushes } from '../../../shared/domain/push.ts';
import {
  liftSuspension,
  refuseSuspendedCaller,
  refuseSuspendedConnect,
  suspendUser,
  suspensionBody,
} from '../../../shared/domain/suspensions.ts';
import { parseInput } from '../../../shared/domain/validate.ts';
import type { RecordingCloser } from '../../support/in-memory-expiry.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

const moderator = { userId: 'mod', groups: ['moderators'] };
const startMs = Date.UTC(2026, 11, 1, 12);

function chat() {
  const c = inMemoryChat({ startMs });
  return { ...c, closer: c.ctx.connectionCloser as RecordingCloser };
}

const suspendedNotice = { type: 'error', code: 'suspended', message: expect.stringContaining('suspended') };

describe('suspending and lifting', () => {
  it('are for moderators only: anyone else is refused forbidden and nothing changes', async () => {
    const c = chat();
    const caller = { userId: 'eve', groups: ['editors'] };
    await c.online('bob', 'b1');
    const suspending = await refusal(suspendUser(c.ctx, { caller, userId: 'bob', reason: 'spam' }));
    expect(suspending).toMatchObject({ code: 'forbidden', status: 403 });
    const lifting = await refusal(liftSuspension(c.ctx, { caller, userId: 'bob' }));
    expect(lifting).toMatchObject({ code: 'forbidden', status: 403 });
    expect(await c.suspensions.inForce('bob', c.clock.now())).toBeUndefined();
    expect(c.audit.entries).toEqual([]);
    expect(c.closer.closed).toEqual([]);
  });

  it('validates: a reason of 1-500 characters, until an ISO time in the future within 10 years, not oneself', async () => {
    const c = chat();
    const parse = (body: unknown) => parseInput(suspensionBody, body);
    expect(parse({ reason: '  spam  ' })).toEqual({ reason: 'spam' });
    for (const body of [{}, { reason: '' }, { reason: ' ' }, { reason: 'x'.repeat(501) }]) {
      expect(() => parse(body), JSON.stringify(body)).toThrow(/^reason:/);
    }
    expect(() => parse({ reason: 'spam', until: 'tomorrow' })).toThrow(/^until:/);
    expect(parse({ reason: 'x'.repeat(500) }).reason).toHaveLength(500);

    const suspend = (userId: string, until?: string) =>
      refusal(suspendUser(c.ctx, { caller: moderator, userId, reason: 'spam', until }));
    expect((await suspend('mod')).message).toMatch(/^userId: is you/);
    expect((await suspend('bob', new Date(startMs).toISOString())).message).toMatch(
      /^until: is not in the future/,
    );
    const tooFar = new Date(startMs + 11 * 365 * 24 * 3600_000).toISOString();
    expect((await suspend('bob', tooFar)).message).toMatch(/^until: is more than 10 years ahead/);
    expect(await c.suspensions.inForce('bob', c.clock.now())).toBeUndefined();
    expect(c.audit.entries).toEqual([]);
  });

  it('audits who suspended whom, when, why and until when, and who lifted it; lifting none is a quiet no-op', async () => {
    const c = chat();
    const until = '2026-12-08T12:00:00+02:00';
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'abuse', until });
    expect(await c.suspensions.inForce('bob', c.clock.now())).toEqual({
      userId: 'bob',
      until: '2026-12-08T10:00:00.000Z',
      reason: 'abuse',
      by: 'mod',
      at: c.clock.iso(),
    });
    c.clock.advance(1_000);
    await liftSuspension(c.ctx, { caller: moderator, userId: 'bob' });
    await liftSuspension(c.ctx, { caller: moderator, userId: 'bob' });
    expect(await c.suspensions.inForce('bob', c.clock.now())).toBeUndefined();
    expect(c.audit.entries).toEqual([
      {
        entryId: expect.any(String),
        at: new Date(startMs).toISOString(),
        moderatorId: 'mod',
        action: 'user.suspended',
        target: { userId: 'bob' },
        reason: 'abuse',
        until: '2026-12-08T10:00:00.000Z',
      },
      {
        entryId: expect.any(String),
        at: new Date(startMs + 1_000).toISOString(),
        moderatorId: 'mod',
        action: 'user.unsuspended',
        target: { userId: 'bob' },
      },
    ]);
    expect(new Set(c.audit.entries.map((e) => e.entryId)).size).toBe(2);
  });
});

describe('a suspension takes effect at once', () => {
  it("tells each of the user's sockets error suspended and closes it, and no one else's", async () => {
    const c = chat();
    await c.online('bob', 'b1');
    await c.online('bob', 'b2');
    await c.online('carol', 'c1');
    c.clock.advance(60_000);
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam' });
    expect(c.notifier.eventsAt('b1')).toEqual([suspendedNotice]);
    expect(c.notifier.eventsAt('b2')).toEqual([suspendedNotice]);
    expect(c.notifier.eventsOf('carol')).toEqual([]);
    expect(c.closer.closed.sort()).toEqual(['b1', 'b2']);
  });

  it('closes a socket recorded in the last seconds once more, a moment later (its handshake may not have ended)', async () => {
    const c = chat();
    await c.online('bob', 'old');
    c.clock.advance(60_000);
    await c.online('bob', 'new');
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam' });
    expect(c.closer.closed.sort()).toEqual(['new', 'new', 'old']);
    expect(c.notifier.eventsAt('new')).toEqual([suspendedNotice, suspendedNotice]);
  });

  it('a socket failing to close fails the call, after every other socket was closed (the moderator repeats it)', async () => {
    const c = chat();
    await c.online('bob', 'b1');
    await c.online('bob', 'b2');
    const close = c.closer.close.bind(c.closer);
    c.closer.close = async (connectionId) => {
      if (connectionId === 'b1') throw new Error('@connections unavailable');
      await close(connectionId);
    };
    await expect(suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam' })).rejects.toThrow(
      '@connections unavailable',
    );
    expect(c.closer.closed).toEqual(['b2']);
    expect(await c.suspensions.inForce('bob', c.clock.now())).toBeDefined();
  });

  it('refuses the HTTP calls of the suspended user, saying until when; others and the lifted user pass', async () => {
    const c = chat();
    const until = new Date(startMs + 3_600_000).toISOString();
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam', until });
    const refused = await refusal(refuseSuspendedCaller(c.ctx, 'bob'));
    expect(refused).toMatchObject({ code: 'suspended', status: 403 });
    expect(refused.message).toContain(until);
    await refuseSuspendedCaller(c.ctx, 'carol');
    await liftSuspension(c.ctx, { caller: moderator, userId: 'bob' });
    await refuseSuspendedCaller(c.ctx, 'bob');
  });

  it('a connection recorded after the suspension listed the sockets is refused by $connect and forgotten', async () => {
    const c = chat();
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam' });
    // The authorizer ran before the suspension; `$connect` records the connection after it.
    await c.online('bob', 'late');
    expect(await refuseSuspendedConnect(c.ctx, { userId: 'bob', connectionId: 'late' })).toBe(true);
    expect((await c.sessions.getMany(['bob'], c.clock.now())).get('bob')?.connections).toEqual([]);

    await c.online('carol', 'c1');
    expect(await refuseSuspendedConnect(c.ctx, { userId: 'carol', connectionId: 'c1' })).toBe(false);
    expect((await c.sessions.getMany(['carol'], c.clock.now())).get('carol')?.connections).toHaveLength(1);
  });

  it("sends no push to the suspended user's devices, counting them skipped as suspended", async () => {
    const c = chat();
    const { conversation } = await createConversation(c.ctx, {
      userId: 'alice',
      input: { type: 'group', name: 'Team', memberIds: ['bob', 'carol'] },
    });
    for (const userId of ['bob', 'carol'])
      await registerDevice(c.ctx, { userId, platform: 'fcm', token: `token-${userId}` });
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam' });
    const { conversationId } = conversation;
    await sendMessage(c.ctx, { userId: 'alice', conversationId, clientMessageId: 'm1', body: 'hi' });
    const [job] = c.pushQueue.jobs.splice(0);
    expect(job?.recipientIds.sort()).toEqual(['bob', 'carol']);
    const report = job && (await sendPushes(c.ctx, job));
    expect(c.pushSender.sent.map((push) => push.device.userId)).toEqual(['carol']);
    expect(report?.skipped).toMatchObject({ suspended: 1 });
  });

  it('a timed suspension ends by itself: HTTP, $connect and pushes are allowed again', async () => {
    const c = chat();
    const until = new Date(startMs + 60_000).toISOString();
    await suspendUser(c.ctx, { caller: moderator, userId: 'bob', reason: 'spam', until });
    expect(await c.suspensions.suspendedAmong(['bob', 'carol'], c.clock.now())).toEqual(new Set(['bob']));
    c.clock.advance(60_000);
    await refuseSuspendedCaller(c.ctx, 'bob');
    await c.online('bob', 'b1');
    expect(await refuseSuspendedConnect(c.ctx, { userId: 'bob', connectionId: 'b1' })).toBe(false);
    expect(await c.suspensions.suspendedAmong(['bob'], c.clock.now())).toEqual(new Set());
  });
});
