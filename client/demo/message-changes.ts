import type { ChatClient, Message } from '@serverless-chat/client';
import type { Conversations } from './conversations.ts';
import { asDeleted, type Timeline } from './message-list.ts';
import { withoutPreview } from './replies.ts';

/** `message` as it is after the changes that came before it did (see `Timeline.unapplied`). */
export function caughtUp(timeline: Timeline, message: Message): Message {
  const changes = timeline.unapplied.get(message.messageId) ?? [];
  timeline.unapplied.delete(message.messageId);
  return changes.reduce((changed, change) => change(changed), message);
}

interface MessageRef {
  conversationId: string;
  messageId: string;
  seq: number;
}

/**
 * Keeps the messages shown (the open timeline's, and each conversation's last) as they change after arriving:
 * edited or given a thumbnail (`message.updated`, which carries no reactions, so the ones shown stay), reacted
 * to, deleted (and then the quotes of it in replies lose their preview, as history has them); `render` draws
 * the page again.
 */
export function followMessageChanges(
  client: ChatClient,
  conversations: Conversations,
  shown: () => Timeline | undefined,
  render: () => void,
): void {
  const change = (ref: MessageRef, changed: (message: Message) => Message) => {
    const entry = conversations.get(ref.conversationId);
    if (entry?.lastMessage?.messageId === ref.messageId) entry.lastMessage = changed(entry.lastMessage);
    const timeline = shown();
    if (timeline?.id !== ref.conversationId) return;
    const message = timeline.messages.get(ref.seq);
    if (message?.messageId === ref.messageId) timeline.messages.set(ref.seq, changed(message));
    else timeline.unapplied.set(ref.messageId, [...(timeline.unapplied.get(ref.messageId) ?? []), changed]);
  };

  client.on('message.updated', (updated) => {
    change(updated, ({ reactions }) => ({ ...updated, ...(reactions ? { reactions } : {}) }));
    render();
  });

  client.on('message.reactions', (event) => {
    change(event, (message) => ({ ...message, reactions: event.reactions }));
    render();
  });

  client.on('message.deleted', (event) => {
    change(event, (message) => asDeleted(message, event));
    const timeline = shown();
    for (const reply of timeline?.id === event.conversationId ? timeline.messages.values() : []) {
      if (reply.replyTo?.messageId === event.messageId)
        timeline?.messages.set(reply.seq, { ...reply, replyTo: withoutPreview(reply.replyTo) });
    }
    render();
  });
}
