import type { ChatClient, Message } from '@serverless-chat/client';
import type { Conversations } from './conversations.ts';
import { create } from './dom.ts';
import { deletedText } from './message-list.ts';
import type { PresenceBoard } from './presence.ts';

/** The last message's text, or its files' names when it has none. */
const previewOf = (last: Message | null) =>
  !last
    ? 'No messages yet'
    : last.deletedAt
      ? deletedText(last)
      : last.body || `📎 ${(last.attachments ?? []).map((file) => file.fileName).join(', ')}`;

export interface ConversationListOptions {
  list: HTMLUListElement;
  client: ChatClient;
  conversations: Conversations;
  presence: PresenceBoard;
  /** The conversation shown on the right, marked as current. */
  openId: string | undefined;
  onOpen(conversationId: string): void;
}

/** The inbox, most recently active first: presence, name, unread badge, and the last message or who types. */
export function renderConversationList(options: ConversationListOptions): void {
  const { client, conversations, presence, openId, onOpen } = options;
  options.list.replaceChildren(
    ...conversations.newestFirst().map((entry) => {
      const { conversationId } = entry.conversation;
      const item = create('li', 'conversation-item');
      item.dataset.conversationId = conversationId;
      item.setAttribute('aria-current', String(openId === conversationId));
      const others = conversations.otherMembers(entry);
      const typing = client.usersTyping(conversationId);
      const preview = typing.length > 0 ? `${typing.join(', ')} typing…` : previewOf(entry.lastMessage);
      const unread = client.unreadCount(conversationId);
      item.append(
        presence.dot(entry.conversation.type === 'direct' ? others[0] : undefined),
        create('span', 'name', conversations.nameOf(entry)),
        unread > 0 ? create('span', 'badge', String(unread)) : create('span', ''),
        create('span', 'preview', preview),
      );
      item.addEventListener('click', () => onOpen(conversationId));
      return item;
    }),
  );
}
