/**
 * The report store against DynamoDB Local: one report per user and message, groups counted exactly under
 * concurrent reporters, the open queue oldest first with its cursor, resolution and reopening.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewReport } from '../../shared/domain/moderation-ports.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { ReportStore } from '../../shared/store/report-store.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
let reports: ReportStore;
beforeAll(async () => {
  table = await createTestTable();
  reports = new ReportStore(table);
});

let ids = 0;
const fresh = (name: string) => `${name}-${String(++ids).padStart(4, '0')}`;

function reportOf(
  conversationId: string,
  messageId: string,
  reporterId: string,
  overrides: Partial<NewReport> = {},
): NewReport {
  return {
    conversationId,
    messageId,
    reportedUserId: 'mallory',
    reporterId,
    reason: 'spam',
    at: '2026-12-01T10:00:00.000Z',
    newReportId: fresh('report'),
    newGroupId: fresh('group'),
    ...overrides,
  };
}

async function groupOf(messageId: string) {
  const { items } = await reports.list({ status: 'open', limit: 100 });
  return items.find((group) => group.messageId === messageId);
}

describe('the report store', () => {
  it('takes one report per user: the second answers the first report id and counts nothing', async () => {
    const [conversation, message] = [fresh('conv'), fresh('msg')];
    const first = await reports.report(reportOf(conversation, message, 'alice', { note: 'ads' }));
    const again = await reports.report(reportOf(conversation, message, 'alice', { reason: 'abuse' }));
    expect(first.created).toBe(true);
    expect(again).toEqual({ reportId: first.reportId, created: false });
    expect(await groupOf(message)).toMatchObject({ reporterCount: 1, reasons: ['spam'], status: 'open' });
  });

  it('groups the reports of one message: count, reasons, first time, the reported user', async () => {
    const [conversation, message] = [fresh('conv'), fresh('msg')];
    await reports.report(reportOf(conversation, message, 'alice', { at: '2026-12-01T09:00:00.000Z' }));
    await reports.report(
      reportOf(conversation, message, 'bob', { reason: 'abuse', at: '2026-12-01T09:05:00.000Z' }),
    );
    expect(await groupOf(message)).toMatchObject({
      conversationId: conversation,
      reportedUserId: 'mallory',
      reporterCount: 2,
      reasons: ['abuse', 'spam'],
      firstReportedAt: '2026-12-01T09:00:00.000Z',
    });
  });

  it('counts 40 users reporting one new message at once exactly, in one group', async () => {
    const [conversation, message] = [fresh('conv'), fresh('msg')];
    const reporters = Array.from({ length: 40 }, (_, i) => `reporter-${i}`);
    const answers = await Promise.all(
      reporters.map((user) => reports.report(reportOf(conversation, message, user))),
    );
    expect(answers.every((answer) => answer.created)).toBe(true);
    expect(new Set(answers.map((answer) => answer.reportId)).size).toBe(40);
    const { items } = await reports.list({ status: 'open', limit: 100 });
    expect(items.filter((group) => group.messageId === message)).toEqual([
      expect.objectContaining({ reporterCount: 40 }),
    ]);
  });

  it('lists open groups oldest first, page by page, and refuses a cursor of another list', async () => {
    const local = await createTestTable();
    const store = new ReportStore(local);
    for (const [index, at] of [
      '2026-12-01T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
      '2026-12-01T07:00:00.000Z',
    ].entries()) {
      await store.report(reportOf('conv', `m${index}`, 'alice', { at }));
    }
    const first = await store.list({ status: 'open', limit: 2 });
    expect(first.items.map((group) => group.messageId)).toEqual(['m1', 'm2']);
    expect(first.cursor).toBeDefined();
    const second = await store.list({ status: 'open', limit: 2, cursor: first.cursor as string });
    expect(second.items.map((group) => group.messageId)).toEqual(['m0']);
    await expect(
      store.list({ status: 'resolved', limit: 2, cursor: first.cursor as string }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(await store.oldestOpenReportedAt()).toBe('2026-11-30T08:00:00.000Z');
  });

  it('resolves an open group once, and a new report reopens it with a new first time', async () => {
    const [conversation, message] = [fresh('conv'), fresh('msg')];
    await reports.report(reportOf(conversation, message, 'alice'));
    const group = await groupOf(message);
    const reportId = group?.reportId as string;
    const resolution = { reportId, action: 'dismissed' as const, by: 'mod', at: '2026-12-01T11:00:00.000Z' };
    expect(await reports.resolve(resolution)).toBe('resolved');
    expect(await reports.resolve(resolution)).toBe('not-open');
    expect(await reports.resolve({ ...resolution, reportId: 'no-such-report' })).toBe('not-found');
    expect(await groupOf(message)).toBeUndefined();
    const resolved = await reports.list({ status: 'resolved', limit: 100 });
    expect(resolved.items.find((g) => g.reportId === reportId)).toMatchObject({
      status: 'resolved',
      resolution: { action: 'dismissed', by: 'mod', at: '2026-12-01T11:00:00.000Z' },
    });

    // Alice's report stays hers; Bob's reopens the group.
    expect((await reports.report(reportOf(conversation, message, 'alice'))).created).toBe(false);
    await reports.report(reportOf(conversation, message, 'bob', { at: '2026-12-01T12:00:00.000Z' }));
    const reopened = await groupOf(message);
    expect(reopened).toMatchObject({
      reportId,
      reporterCount: 2,
      firstReportedAt: '2026-12-01T12:00:00.000Z',
    });
    expect(reopened?.resolution).toBeUndefined();
  });
});
