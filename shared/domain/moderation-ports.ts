/**
 * The ports of moderation: reports, suspensions, the audit trail, the content filter and the domain events.
 * Their adapters live in `shared/store` (DynamoDB) and `shared/moderation` (filters, EventBridge).
 */

export const reportReasons = ['spam', 'abuse', 'sexual', 'violence', 'other'] as const;
export type ReportReason = (typeof reportReasons)[number];

export const reportStatuses = ['open', 'resolved'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export const resolutionActions = ['dismissed', 'removed', 'suspended'] as const;
export type ResolutionAction = (typeof resolutionActions)[number];

/** All reports of one message: what a moderator sees and resolves. */
export interface ReportGroup {
  reportId: string;
  conversationId: string;
  messageId: string;
  reportedUserId: string;
  reporterCount: number;
  reasons: ReportReason[];
  firstReportedAt: string;
  status: ReportStatus;
  resolution?: { action: ResolutionAction; by: string; at: string };
}

export interface NewReport {
  conversationId: string;
  messageId: string;
  reportedUserId: string;
  reporterId: string;
  reason: ReportReason;
  note?: string;
  at: string;
  /** Ids to give the user's report and, when the message has none yet, its group. */
  newReportId: string;
  newGroupId: string;
}

export interface ReportPage {
  items: ReportGroup[];
  cursor?: string;
}

export interface ReportRepository {
  /**
   * Records one user's report of a message. A second report by the same user changes nothing and answers the
   * first one's id; a report of a message whose group was resolved opens the group again.
   */
  report(report: NewReport): Promise<{ reportId: string; created: boolean }>;
  /** Groups with that status, the oldest first report first. */
  list(query: { status: ReportStatus; limit: number; cursor?: string }): Promise<ReportPage>;
  /** Resolves an open group; `not-found` when there is no such group, `not-open` when it is resolved already. */
  resolve(request: {
    reportId: string;
    action: ResolutionAction;
    by: string;
    at: string;
  }): Promise<'resolved' | 'not-found' | 'not-open'>;
  /** When the oldest open group was first reported; undefined when none is open. */
  oldestOpenReportedAt(): Promise<string | undefined>;
}

export interface Suspension {
  userId: string;
  /** ISO time it ends by itself; none: until lifted. */
  until?: string;
  reason: string;
  by: string;
  at: string;
}

export interface SuspensionRepository {
  /** Suspends (again: replaces the earlier suspension). */
  suspend(suspension: Suspension): Promise<void>;
  /** Lifts; false when there was none. */
  lift(userId: string): Promise<boolean>;
  /**
   * The suspension in force at `nowMs`, if any (one that has run out is none); strongly consistent unless
   * `consistent: false` (half the capacity, and it may miss a suspension made within the last second).
   */
  inForce(userId: string, nowMs: number, options?: { consistent?: boolean }): Promise<Suspension | undefined>;
  /** Those of `userIds` with a suspension in force at `nowMs`. */
  suspendedAmong(userIds: readonly string[], nowMs: number): Promise<Set<string>>;
}

type AuditAction = 'message.removed' | 'user.suspended' | 'user.unsuspended' | 'report.resolved';

/** One moderator action: who, what, when, why. */
export interface AuditEntry {
  entryId: string;
  at: string;
  moderatorId: string;
  action: AuditAction;
  /** What it acted on: a message, a user or a report. */
  target: { conversationId?: string; messageId?: string; userId?: string; reportId?: string };
  reason?: string;
  /** When a `user.suspended` suspension ends by itself; none: until lifted. */
  until?: string;
  /** The resolution's action, for `report.resolved`. */
  outcome?: ResolutionAction;
}

export interface AuditTrail {
  /** Appends an entry; an entry is never changed or removed through the API. */
  append(entry: AuditEntry): Promise<void>;
}

export type ContentVerdict = { allowed: true } | { allowed: false; rule: string };

/** Decides whether a text may be stored; a team plugs its own in here. */
export interface ContentFilter {
  review(text: string): Promise<ContentVerdict>;
}

type ChatEventType =
  | 'chat.message.created'
  | 'chat.message.reported'
  | 'chat.message.removed'
  | 'chat.user.suspended';

/** A domain event as published: never a token or a device token in `detail`. */
export interface ChatEvent {
  type: ChatEventType;
  time: string;
  /** Stable per change, so a consumer can drop a redelivered event. */
  id: string;
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  /** Publishes; answers the events that could not be published (the caller retries them). */
  publish(events: readonly ChatEvent[]): Promise<{ failed: ChatEvent[] }>;
}
