/** In-memory fakes of the moderation ports (shared/domain/moderation-ports.ts), for use-case unit tests. */
import type {
  AuditEntry,
  AuditTrail,
  ContentFilter,
  ContentVerdict,
  NewReport,
  ReportGroup,
  ReportPage,
  ReportRepository,
  Suspension,
  SuspensionRepository,
} from '../../shared/domain/moderation-ports.ts';

/** Appends like the audit store: an entry id used twice is refused, as its conditional put would be. */
export class InMemoryAudit implements AuditTrail {
  readonly entries: AuditEntry[] = [];

  async append(entry: AuditEntry): Promise<void> {
    if (this.entries.some((e) => e.entryId === entry.entryId)) throw new Error('Audit entry exists');
    this.entries.push(structuredClone(entry));
  }
}

/** Suspensions by user, in force until `until` as the suspension store reads them. */
export class InMemorySuspensions implements SuspensionRepository {
  readonly byUser = new Map<string, Suspension>();

  async suspend(suspension: Suspension): Promise<void> {
    this.byUser.set(suspension.userId, structuredClone(suspension));
  }

  async lift(userId: string): Promise<boolean> {
    return this.byUser.delete(userId);
  }

  async inForce(userId: string, nowMs: number): Promise<Suspension | undefined> {
    const found = this.byUser.get(userId);
    const over = found?.until !== undefined && Date.parse(found.until) <= nowMs;
    return found && !over ? structuredClone(found) : undefined;
  }

  async suspendedAmong(userIds: readonly string[], nowMs: number): Promise<Set<string>> {
    const suspended = new Set<string>();
    for (const userId of userIds) if (await this.inForce(userId, nowMs)) suspended.add(userId);
    return suspended;
  }
}

/** A content filter that refuses the texts containing one of its words (as is), and records what it reviewed. */
export class FakeContentFilter implements ContentFilter {
  readonly reviewed: string[] = [];
  readonly refusedWords = new Set<string>();

  async review(text: string): Promise<ContentVerdict> {
    this.reviewed.push(text);
    const refused = [...this.refusedWords].some((word) => text.includes(word));
    return refused ? { allowed: false, rule: 'fake' } : { allowed: true };
  }
}

/** Groups reports per message like the report store: once per user, oldest open first, reopened when reported again. */
export class InMemoryReports implements ReportRepository {
  private readonly groups = new Map<string, ReportGroup>();
  private readonly reporters = new Map<string, string>();

  async report(report: NewReport): Promise<{ reportId: string; created: boolean }> {
    const messageKey = `${report.conversationId}/${report.messageId}`;
    let group = [...this.groups.values()].find((g) => `${g.conversationId}/${g.messageId}` === messageKey);
    const mine = group && this.reporters.get(`${group.reportId}/${report.reporterId}`);
    if (mine) return { reportId: mine, created: false };
    if (!group) {
      group = {
        reportId: report.newGroupId,
        conversationId: report.conversationId,
        messageId: report.messageId,
        reportedUserId: report.reportedUserId,
        reporterCount: 0,
        reasons: [],
        firstReportedAt: report.at,
        status: 'open',
      };
      this.groups.set(group.reportId, group);
    }
    if (group.status === 'resolved') {
      Object.assign(group, { status: 'open', firstReportedAt: report.at });
      delete group.resolution;
    }
    group.reporterCount += 1;
    group.reasons = [...new Set([...group.reasons, report.reason])].sort();
    this.reporters.set(`${group.reportId}/${report.reporterId}`, report.newReportId);
    return { reportId: report.newReportId, created: true };
  }

  async list({ status, limit }: { status: ReportGroup['status']; limit: number }): Promise<ReportPage> {
    const items = [...this.groups.values()]
      .filter((group) => group.status === status)
      .sort((a, b) => a.firstReportedAt.localeCompare(b.firstReportedAt));
    return { items: structuredClone(items.slice(0, limit)) };
  }

  async resolve(request: Parameters<ReportRepository['resolve']>[0]) {
    const group = this.groups.get(request.reportId);
    if (!group) return 'not-found' as const;
    if (group.status !== 'open') return 'not-open' as const;
    group.status = 'resolved';
    group.resolution = { action: request.action, by: request.by, at: request.at };
    return 'resolved' as const;
  }

  async oldestOpenReportedAt(): Promise<string | undefined> {
    return (await this.list({ status: 'open', limit: 1 })).items[0]?.firstReportedAt;
  }
}
