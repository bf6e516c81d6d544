import {
  ContentRejectedError,
  type Message,
  type MessageDeletedEvent,
  type OutgoingMessage,
  type ReportReason,
} from '@serverless-chat/client';
import type { ConversationView } from './conversations.ts';
import { create } from './dom.ts';
import { button, reportControl } from './report.ts';

/** The open conversation's timeline: stored messages by seq, and this device's sends not yet among them. */
export interface Timeline {
  id: string;
  messages: Map<number, Message>;
  sending: Map<string, OutgoingMessage>;
}

/** What the user can do to the messages shown. */
export interface MessageActions {
  retry(clientMessageId: string): void;
  report(message: Message, reason: ReportReason): Promise<void>;
  /** The messages this user reported. */
  reported: ReadonlySet<string>;
  /**
   * Each message's Report control, kept across renders: the timeline is drawn again on every event, and a
   * reason picker the user has open must survive it.
   */
  reportControls: Map<string, HTMLElement>;
}

function reportControlOf(actions: MessageActions, message: Message): HTMLElement {
  let control = actions.reportControls.get(message.messageId);
  if (!control) {
    control = reportControl((reason) => actions.report(message, reason));
    actions.reportControls.set(message.messageId, control);
  }
  return control;
}

/** A message as it is after `event` deleted it (as history then has it). */
export function asDeleted(message: Message, { removedBy }: MessageDeletedEvent): Message {
  return { ...message, body: '', deletedAt: new Date().toISOString(), ...(removedBy ? { removedBy } : {}) };
}

export const deletedText = (message: Message) =>
  message.removedBy === 'moderator' ? 'Removed by a moderator' : 'Message deleted';

/**
 * The messages in seq order, the user's own marked Read or Sent, others' with a Report action (or Reported),
 * then the sends not yet stored (Sending…, or Failed with a Retry button unless the content filter refused it);
 * scrolled to the newest.
 */
export function renderMessageList(
  list: HTMLOListElement,
  me: string,
  timeline: Timeline,
  entry: ConversationView,
  actions: MessageActions,
): void {
  const stored = [...timeline.messages.values()].sort((a, b) => a.seq - b.seq);
  const storedIds = new Set(stored.map((m) => m.clientMessageId));
  const readByOthers = Math.max(0, ...entry.readSeqs.values());
  const items = stored.map((message) => {
    const mine = message.senderId === me;
    const item = create('li', mine ? 'message mine' : 'message');
    if (!mine) item.append(create('span', 'sender', message.senderId));
    item.append(create('span', 'body', message.deletedAt ? deletedText(message) : message.body));
    if (message.deletedAt) item.classList.add('deleted');
    if (mine) item.append(create('span', 'state', message.seq <= readByOthers ? 'Read' : 'Sent'));
    else if (actions.reported.has(message.messageId)) item.append(create('span', 'state', 'Reported'));
    else if (!message.deletedAt) item.append(reportControlOf(actions, message));
    return item;
  });
  for (const sending of timeline.sending.values()) {
    if (storedIds.has(sending.clientMessageId)) continue;
    const item = create('li', `message mine ${sending.status}`);
    item.append(create('span', 'body', sending.body));
    const refused = sending.error instanceof ContentRejectedError;
    const failure = refused ? 'Refused by the content filter' : `Failed (${sending.error?.code})`;
    const state = create('span', 'state', sending.status === 'failed' ? failure : 'Sending…');
    if (sending.status === 'failed' && !refused)
      state.append(button('Retry', () => actions.retry(sending.clientMessageId)));
    item.append(state);
    items.push(item);
  }
  list.replaceChildren(...items);
  list.scrollTop = list.scrollHeight;
}
