import type { Message, OutgoingMessage } from '@serverless-chat/client';
import type { ConversationView } from './conversations.ts';
import { create } from './dom.ts';

/** The open conversation's timeline: stored messages by seq, and this device's sends not yet among them. */
export interface Timeline {
  id: string;
  messages: Map<number, Message>;
  sending: Map<string, OutgoingMessage>;
}

/**
 * The messages in seq order, the user's own marked Read or Sent, then the sends not yet stored (Sending…, or
 * Failed with a Retry button); scrolled to the newest.
 */
export function renderMessageList(
  list: HTMLOListElement,
  me: string,
  timeline: Timeline,
  entry: ConversationView,
  onRetry: (clientMessageId: string) => void,
): void {
  const stored = [...timeline.messages.values()].sort((a, b) => a.seq - b.seq);
  const storedIds = new Set(stored.map((m) => m.clientMessageId));
  const readByOthers = Math.max(0, ...entry.readSeqs.values());
  const items = stored.map((message) => {
    const mine = message.senderId === me;
    const item = create('li', mine ? 'message mine' : 'message');
    if (!mine) item.append(create('span', 'sender', message.senderId));
    item.append(create('span', 'body', message.deletedAt ? 'Message deleted' : message.body));
    if (mine) item.append(create('span', 'state', message.seq <= readByOthers ? 'Read' : 'Sent'));
    return item;
  });
  for (const sending of timeline.sending.values()) {
    if (storedIds.has(sending.clientMessageId)) continue;
    const item = create('li', `message mine ${sending.status}`);
    item.append(create('span', 'body', sending.body));
    const state = create(
      'span',
      'state',
      sending.status === 'failed' ? `Failed (${sending.error?.code})` : 'Sending…',
    );
    if (sending.status === 'failed') {
      const retry = create('button', 'retry', 'Retry');
      retry.type = 'button';
      retry.addEventListener('click', () => onRetry(sending.clientMessageId));
      state.append(retry);
    }
    item.append(state);
    items.push(item);
  }
  list.replaceChildren(...items);
  list.scrollTop = list.scrollHeight;
}
