import { ChatApiError, type ReportReason } from '@serverless-chat/client';
import { create } from './dom.ts';

const reasons: ReportReason[] = ['spam', 'abuse', 'sexual', 'violence', 'other'];

/** A button of the demo's own. */
export function button(text: string, onClick: () => void): HTMLButtonElement {
  const control = create('button', '', text);
  control.type = 'button';
  control.addEventListener('click', onClick);
  return control;
}

/**
 * A message's Report action: the button opens a reason picker, and sending the report calls `onReport` (the
 * timeline then shows "Reported"); a refusal is shown in its place.
 */
export function reportControl(onReport: (reason: ReportReason) => Promise<void>): HTMLElement {
  const control = create('span', 'report');
  const pick = () => {
    const picker = create('select', 'report-reason');
    picker.setAttribute('aria-label', 'Reason');
    picker.append(...reasons.map((reason) => new Option(reason, reason)));
    const send = button('Send report', () => {
      send.disabled = true;
      onReport(picker.value as ReportReason).catch((error: unknown) => {
        const code = error instanceof ChatApiError ? error.code : 'network';
        control.replaceChildren(create('span', 'report-failed', `Not reported (${code})`));
      });
    });
    control.replaceChildren(picker, send);
  };
  control.append(button('Report', pick));
  return control;
}
