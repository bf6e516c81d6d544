import type { ChatClient } from '@serverless-chat/client';
import type { Conversations } from './conversations.ts';
import { create } from './dom.ts';
import type { PresenceBoard } from './presence.ts';

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
      const preview =
        typing.length > 0 ? `${typing.join(', ')} typing…` : (entry.lastMessage?.body ?? 'No messages yet');
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
