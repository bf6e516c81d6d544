import {
  ContentRejectedError,
  type Message,
  type MessageDeletedEvent,
  type OutgoingMessage,
  type OutgoingUpload,
  type ReportReason,
} from '@serverless-chat/client';
import type { AttachmentViews } from './attachment-views.ts';
import type { ConversationView } from './conversations.ts';
import { create } from './dom.ts';
import { bodyWithMentions } from './mentions.ts';
import { reactionBar } from './reactions.ts';
import { quoteOf } from './replies.ts';
import { button, reportControl } from './report.ts';

/** The open conversation's timeline: stored messages by seq, and this device's sends not yet among them. */
export interface Timeline {
  id: string;
  messages: Map<number, Message>;
  sending: Map<string, OutgoingMessage>;
  /**
   * Changes (message-changes.ts) to messages not shown yet, by messageId: one may come while the history page
   * holding its message loads, and is applied when the message arrives.
   */
  unapplied: Map<string, ((message: Message) => Message)[]>;
}

/** What the user can do to the messages shown. */
export interface MessageActions {
  retry(clientMessageId: string): void;
  report(message: Message, reason: ReportReason): Promise<void>;
  /** Makes the composer's next message a reply to this one. */
  reply(message: Message): void;
  /** Adds the user's reaction with `emoji`, or takes it back when `mine`. */
  react(message: Message, emoji: string, mine: boolean): Promise<void>;
  attachments: AttachmentViews;
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

/** A stored message's quote, text (mentions highlighted), files, reactions and Reply, or its deletion notice. */
function contentOf(message: Message, me: string, actions: MessageActions): HTMLElement[] {
  if (message.deletedAt) return [create('span', 'body', deletedText(message))];
  const tools = create('div', 'message-tools');
  tools.append(
    reactionBar(message, me, (emoji, mine) => actions.react(message, emoji, mine)),
    button('Reply', () => actions.reply(message)),
  );
  return [
    ...(message.replyTo ? [quoteOf(message.replyTo)] : []),
    bodyWithMentions(message.body, message.mentions ?? [], me),
    ...(message.attachments?.length ? [actions.attachments.of(message)] : []),
    tools,
  ];
}

/** A send's files as they upload: each one's name and a bar of the bytes sent. */
function uploadsOf(uploads: readonly OutgoingUpload[]): HTMLElement {
  const list = create('div', 'uploads');
  for (const upload of uploads) {
    const bar = create('progress', 'upload-progress');
    bar.max = upload.size;
    bar.value = upload.loaded;
    const item = create('span', 'upload', upload.fileName);
    item.append(bar);
    list.append(item);
  }
  return list;
}

/** What a pending send is waiting for: its files' upload (the share of their bytes sent), or the server. */
function pendingText(uploads: readonly OutgoingUpload[] = []): string {
  const total = uploads.reduce((sum, upload) => sum + upload.size, 0);
  if (uploads.every((upload) => upload.attachmentId)) return 'Sending…';
  const loaded = uploads.reduce((sum, upload) => sum + upload.loaded, 0);
  return `Uploading ${Math.floor((100 * loaded) / Math.max(total, 1))}%`;
}

/**
 * The messages in seq order (replies with their quote, mentions highlighted, files, reactions and Reply), the
 * user's own marked Read or Sent, others' with a Report action (or Reported), then the sends not yet stored
 * (their uploads' progress, Sending…, or Failed with a Retry button unless the content filter refused it);
 * scrolled to the newest. Attachments no longer drawn are released.
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
    item.dataset.seq = String(message.seq);
    if (!mine) item.append(create('span', 'sender', message.senderId));
    item.append(...contentOf(message, me, actions));
    if (message.deletedAt) item.classList.add('deleted');
    else if (message.mentions?.includes(me)) item.classList.add('mentions-me');
    if (mine) item.append(create('span', 'state', message.seq <= readByOthers ? 'Read' : 'Sent'));
    else if (actions.reported.has(message.messageId)) item.append(create('span', 'state', 'Reported'));
    else if (!message.deletedAt) item.append(reportControlOf(actions, message));
    return item;
  });
  for (const sending of timeline.sending.values()) {
    if (storedIds.has(sending.clientMessageId)) continue;
    const item = create('li', `message mine ${sending.status}`);
    item.append(bodyWithMentions(sending.body, sending.mentions ?? [], me));
    if (sending.uploads?.length) item.append(uploadsOf(sending.uploads));
    const refused = sending.error instanceof ContentRejectedError;
    const failure = refused ? 'Refused by the content filter' : `Failed (${sending.error?.code})`;
    const state = create(
      'span',
      'state',
      sending.status === 'failed' ? failure : pendingText(sending.uploads),
    );
    if (sending.status === 'failed' && !refused)
      state.append(button('Retry', () => actions.retry(sending.clientMessageId)));
    item.append(state);
    items.push(item);
  }
  list.replaceChildren(...items);
  actions.attachments.releaseUndrawn();
  list.scrollTop = list.scrollHeight;
}
