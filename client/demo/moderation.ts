import { ChatApiError, type ChatClient, type Report } from '@serverless-chat/client';
import { create } from './dom.ts';
import { button } from './report.ts';

/** The identity provider's group of moderators (a Cognito group in AWS). */
export const moderatorsGroup = 'moderators';

/** How often the view asks for the open reports; reports are not events on the WebSocket. */
const pollMs = 3_000;

export interface ModerationPanel {
  section: HTMLElement;
  count: HTMLElement;
  error: HTMLElement;
  list: HTMLOListElement;
}

/**
 * The moderator view: the open reports, oldest first (reasons, count, the message), each with Remove message,
 * Suspend sender (asks why) and Dismiss, every one resolving the report with what was done. It shows only once
 * the server lists reports for this token (the `moderators` group); a 403 `forbidden` keeps it hidden for good.
 */
export function startModeration(client: ChatClient, panel: ModerationPanel): void {
  const { moderation } = client;
  let timer: ReturnType<typeof setInterval> | undefined;
  const refresh = async () => {
    try {
      const { items } = await moderation.listReports({ status: 'open', limit: 100 });
      panel.section.hidden = false;
      panel.count.textContent = String(items.length);
      panel.list.replaceChildren(...items.map(reportItem));
    } catch (error) {
      if (error instanceof ChatApiError && error.code === 'forbidden') clearInterval(timer);
      else panel.error.textContent = String(error);
    }
  };
  /** One moderator action, then the list again (the report it resolved is gone from it). */
  const act = async (steps: () => Promise<void>) => {
    panel.error.textContent = '';
    await steps().catch((error: unknown) => {
      panel.error.textContent = error instanceof Error ? error.message : String(error);
    });
    await refresh();
  };
  const reportItem = (report: Report) => {
    const item = create('li', 'report-item');
    const { message } = report;
    const text = !message ? '(expired)' : message.deletedAt ? '(removed)' : message.body;
    item.append(
      create('span', 'report-message', text),
      create('span', 'badge', String(report.reporterCount)),
      create('span', 'report-meta', `${report.reportedUserId} · ${report.reasons.join(', ')}`),
    );
    item.title = `${report.reporterCount} report(s) since ${report.firstReportedAt}`;
    const resolve = (action: 'removed' | 'suspended' | 'dismissed') =>
      moderation.resolveReport(report.reportId, action);
    const remove = async () => {
      await moderation.removeMessage(report.conversationId, report.messageId, report.reasons.join(', '));
      await resolve('removed');
    };
    const suspend = () => {
      const reason = window.prompt(`Why suspend ${report.reportedUserId}?`)?.trim();
      if (!reason) return;
      void act(async () => {
        await moderation.suspendUser(report.reportedUserId, { reason });
        await resolve('suspended');
      });
    };
    const actions = create('span', 'report-actions');
    actions.append(
      button('Remove message', () => void act(remove)),
      button('Suspend sender', suspend),
      button('Dismiss', () => void act(() => resolve('dismissed'))),
    );
    item.append(actions);
    return item;
  };
  timer = setInterval(() => void refresh(), pollMs);
  void refresh();
}
