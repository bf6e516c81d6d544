/**
 * Reports and moderator actions on in-memory ports: who may report what, moderators only for the rest, the
 * audit trail of each action, and the age of the oldest open report.
 */
import { describe, expect, it } from 'vitest';
import type { ChatContext } from '../../../shared/domain/context.ts';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import {
  listReports,
  oldestOpenReportAgeSeconds,
  removeMessage,
  resolveReport,
} from '../../../shared/domain/moderation.ts';
import { reportMessage } from '../../../shared/domain/reports.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal } from '../../support/refusal.ts';

const moderator = { userId: 'mod', groups: ['moderators'] };
const member = { userId: 'bob', groups: [] };

async function reportedChat() {
  const c = inMemoryChat({ startMs: Date.UTC(2026, 11, 1, 12) });
  const { conversation } = await createConversation(c.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'g', memberIds: ['bob', 'carol'] },
  });
  const { conversationId } = conversation;
  const sent = await sendMessage(c.ctx, {
    userId: 'alice',
    conversationId,
    clientMessageId: 'c1',
    body: 'vile',
  });
  const messageId = sent.message.messageId;
  await reportMessage(c.ctx, { userId: 'bob', conversationId, messageId, reason: 'abuse' });
  return { c, conversationId, messageId };
}

async function firstOpenReportId(ctx: ChatContext): Promise<string> {
  const [first] = (await listReports(ctx, { caller: moderator, status: 'open', limit: 10 })).items;
  if (!first) throw new Error('No open report');
  return first.reportId;
}

describe('reporting', () => {
  it('is for members, about messages of others that exist', async () => {
    const { c, conversationId, messageId } = await reportedChat();
    const report = (userId: string, id = messageId) =>
      refusal(reportMessage(c.ctx, { userId, conversationId, messageId: id, reason: 'spam' }));
    expect(await report('dave')).toMatchObject({ code: 'not_member' });
    expect(await report('alice')).toMatchObject({ code: 'validation_failed' });
    expect(await report('carol', `${messageId}0`)).toMatchObject({ code: 'not_found' });
  });
});

describe('moderator actions', () => {
  it('are refused to anyone not in the moderators group, and change nothing', async () => {
    const { c, conversationId, messageId } = await reportedChat();
    const reportId = await firstOpenReportId(c.ctx);
    for (const attempt of [
      listReports(c.ctx, { caller: member, status: 'open', limit: 10 }),
      removeMessage(c.ctx, { caller: member, conversationId, messageId }),
      resolveReport(c.ctx, { caller: member, reportId, action: 'dismissed' }),
    ]) {
      expect(await refusal(attempt)).toMatchObject({ code: 'forbidden', status: 403 });
    }
    expect(c.audit.entries).toEqual([]);
    expect((await c.messages.get({ conversationId, seq: 1 }))?.body).toBe('vile');
  });

  it('are audited: who, what, when, why', async () => {
    const { c, conversationId, messageId } = await reportedChat();
    const reportId = await firstOpenReportId(c.ctx);
    expect(
      await removeMessage(c.ctx, { caller: moderator, conversationId, messageId, reason: 'threat' }),
    ).toBe('removed');
    expect(await removeMessage(c.ctx, { caller: moderator, conversationId, messageId })).toBe(
      'already-deleted',
    );
    await resolveReport(c.ctx, { caller: moderator, reportId, action: 'removed' });
    expect(c.audit.entries).toEqual([
      {
        entryId: expect.any(String),
        at: '2026-12-01T12:00:00.000Z',
        moderatorId: 'mod',
        action: 'message.removed',
        target: { conversationId, messageId, userId: 'alice' },
        reason: 'threat',
      },
      {
        entryId: expect.any(String),
        at: '2026-12-01T12:00:00.000Z',
        moderatorId: 'mod',
        action: 'report.resolved',
        target: { reportId },
        outcome: 'removed',
      },
    ]);
    expect(await c.messages.get({ conversationId, seq: 1 })).toMatchObject({
      body: '',
      removedBy: 'moderator',
    });
  });

  it('measure the oldest open report’s wait: its age, then 0 once resolved', async () => {
    const { c } = await reportedChat();
    c.clock.advance(90 * 60_000);
    expect(await oldestOpenReportAgeSeconds(c.ctx)).toBe(5_400);
    const reportId = await firstOpenReportId(c.ctx);
    await resolveReport(c.ctx, { caller: moderator, reportId, action: 'dismissed' });
    expect(await oldestOpenReportAgeSeconds(c.ctx)).toBe(0);
  });
});
