import type { ReportPage, ReportStatus, ResolutionAction } from './protocol.ts';

/** How `ChatApi` sends a request (with its token, retry on 401 and errors); see `ChatApi.moderation`. */
export type ApiRequest = <T>(
  method: string,
  path: string,
  options?: { query?: Record<string, string | number | undefined>; body?: unknown },
) => Promise<T>;

/** The moderators' routes (`/moderation/*`): a token with the group `moderators`; others get 403 `forbidden`. */
export class ModerationApi {
  constructor(private readonly request: ApiRequest) {}

  /** Reports grouped per message, oldest first; `open` by default. */
  listReports(page: { status?: ReportStatus; limit?: number; cursor?: string } = {}): Promise<ReportPage> {
    return this.request('GET', '/moderation/reports', { query: page });
  }

  /** Closes a report with what was done about it; a resolved report answers 409 `conflict`. */
  resolveReport(reportId: string, action: ResolutionAction): Promise<void> {
    return this.request('POST', `/moderation/reports/${encodeURIComponent(reportId)}/resolve`, {
      body: { action },
    });
  }

  /** Removes a message for everyone: members get `message.deleted` with `removedBy: 'moderator'`. */
  removeMessage(conversationId: string, messageId: string, reason?: string): Promise<void> {
    const path = `/moderation/messages/${encodeURIComponent(conversationId)}/${encodeURIComponent(messageId)}`;
    return this.request('DELETE', path, reason === undefined ? {} : { body: { reason } });
  }

  /**
   * Suspends a user at once, until `until` (an ISO time) or until lifted: their sockets are closed, and every
   * call and connection of theirs is refused with `suspended`. Suspending again replaces the suspension.
   */
  suspendUser(userId: string, suspension: { until?: string; reason: string }): Promise<void> {
    return this.request('PUT', `/moderation/suspensions/${encodeURIComponent(userId)}`, { body: suspension });
  }

  liftSuspension(userId: string): Promise<void> {
    return this.request('DELETE', `/moderation/suspensions/${encodeURIComponent(userId)}`);
  }
}
