import { createChatClient, SuspendedError } from '@serverless-chat/client';
import { AttachmentViews } from './attachment-views.ts';
import { Composer } from './composer.ts';
import { renderConversationList } from './conversation-list.ts';
import { Conversations, type ConversationView } from './conversations.ts';
import { create, showPane, view } from './dom.ts';
import { caughtUp, followMessageChanges } from './message-changes.ts';
import { type MessageActions, renderMessageList, type Timeline } from './message-list.ts';
import { startModeration } from './moderation.ts';
import { startNotifications } from './notifications.ts';
import { PresenceBoard } from './presence.ts';
import { onSignIn, type Session } from './sign-in.ts';

declare global {
  interface Window {
    /** Injected by the page server (serve.ts). */
    CHAT_CONFIG: { httpUrl: string; wsUrl: string };
  }
}

const { httpUrl, wsUrl } = window.CHAT_CONFIG;

onSignIn(httpUrl, startChat);

async function startChat({ userId: me, moderator, token }: Session): Promise<void> {
  const client = createChatClient({ httpUrl, wsUrl, userId: me, getToken: token });
  const conversations = new Conversations(me);
  const reported = new Set<string>();
  const actions: MessageActions = {
    retry: (clientMessageId) => client.retry(clientMessageId),
    reported,
    reportControls: new Map(),
    attachments: new AttachmentViews(client),
    async report(message, reason) {
      await client.reportMessage(message.conversationId, message.messageId, { reason });
      reported.add(message.messageId);
      actions.reportControls.delete(message.messageId);
      renderTimeline();
    },
    reply: (message) => composer.replyTo(message),
    react: ({ conversationId, messageId }, emoji, mine) =>
      mine
        ? client.api.unreact(conversationId, messageId, emoji)
        : client.api.react(conversationId, messageId, emoji),
  };
  /** A moderator suspended this user: the client has stopped, and the page says why. */
  let suspended = false;
  let open: Timeline | undefined;
  let loadOlder: (() => Promise<void>) | undefined;
  const composer = new Composer(client, me, () => {
    const entry = open && conversations.get(open.id);
    return entry && { id: entry.conversation.conversationId, memberIds: entry.memberIds };
  });

  const presence = new PresenceBoard(client, () => {
    renderConversations();
    const entry = open && conversations.get(open.id);
    if (entry) renderTitle(entry);
  });

  function renderConversations(): void {
    renderConversationList({
      list: view.conversations,
      client,
      conversations,
      presence,
      openId: open?.id,
      onOpen: (conversationId) => void openConversation(conversationId),
    });
  }

  function renderTimeline(): void {
    const entry = open && conversations.get(open.id);
    if (!open || !entry) return;
    renderMessageList(view.messages, me, open, entry, actions);
  }

  function renderTitle(entry: ConversationView): void {
    view.title.replaceChildren(
      create('span', 'title', conversations.nameOf(entry)),
      ...conversations.otherMembers(entry).map((userId) => {
        const member = create('span', 'member', userId);
        member.prepend(presence.dot(userId));
        return member;
      }),
    );
  }

  function renderTyping(): void {
    const typing = open ? client.usersTyping(open.id) : [];
    view.typing.textContent =
      typing.length > 0 ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : '';
  }

  const learnPresence = (entry: ConversationView) => presence.learn(conversations.otherMembers(entry));

  async function openConversation(conversationId: string): Promise<void> {
    const entry = conversations.get(conversationId);
    if (!entry) return;
    open = { id: conversationId, messages: new Map(), sending: new Map(), unapplied: new Map() };
    const current = open;
    renderTitle(entry);
    composer.clear();
    view.composerFields.disabled = false;
    showPane('conversation');
    const history = client.history(conversationId);
    loadOlder = async () => {
      for (const message of await history.loadOlder())
        current.messages.set(message.seq, caughtUp(current, message));
      view.loadOlder.hidden = !history.hasMore;
      if (open === current) renderTimeline();
    };
    await loadOlder();
    client.markRead(conversationId);
    renderConversations();
    renderTyping();
  }

  /**
   * The back control (shown on narrow screens only): closes the conversation, so that what arrives in it while
   * the list is shown counts as unread, and shows the list.
   */
  function closeConversation(): void {
    open = undefined;
    loadOlder = undefined;
    view.title.textContent = 'Pick a conversation';
    view.messages.replaceChildren();
    actions.attachments.releaseUndrawn();
    view.loadOlder.hidden = true;
    view.composerFields.disabled = true;
    composer.clear();
    renderTyping();
    renderConversations();
    showPane('list');
  }

  client.on('status', (status) => {
    view.status.textContent = suspended ? 'suspended' : status;
    view.status.dataset.status = status;
    if (status === 'open') void presence.refresh(conversations.contacts());
  });

  client.on('message', async (message) => {
    let entry = conversations.get(message.conversationId);
    if (!entry) {
      entry = conversations.remember(await client.api.getConversation(message.conversationId), message);
      learnPresence(entry);
    }
    if (!entry.lastMessage || message.seq >= entry.lastMessage.seq) entry.lastMessage = message;
    if (open?.id === message.conversationId) {
      open.messages.set(message.seq, caughtUp(open, message));
      open.sending.delete(message.clientMessageId);
      if (document.visibilityState === 'visible') client.markRead(message.conversationId, message.seq);
      renderTimeline();
    }
    renderConversations();
  });

  client.on('outgoing', (sending) => {
    if (open?.id !== sending.conversationId) return;
    open.sending.set(sending.clientMessageId, sending);
    renderTimeline();
  });

  followMessageChanges(
    client,
    conversations,
    () => open,
    () => {
      renderConversations();
      renderTimeline();
    },
  );

  client.on('error', (error) => {
    suspended ||= error instanceof SuspendedError;
  });

  client.on('unread', renderConversations);

  client.on('typing', (event) => {
    if (open?.id === event.conversationId) renderTyping();
    renderConversations();
  });

  client.on('presence', (event) => {
    presence.update(event.userId, event.status);
  });

  client.on('read', (event) => {
    const entry = conversations.get(event.conversationId);
    if (!entry) return;
    entry.readSeqs.set(event.userId, Math.max(event.seq, entry.readSeqs.get(event.userId) ?? 0));
    if (open?.id === event.conversationId) renderTimeline();
  });

  client.on('conversation.updated', (conversation) => {
    learnPresence(conversations.remember(conversation, null));
    renderConversations();
  });

  view.newConversation.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(view.newConversation);
    const memberIds = String(form.get('members'))
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '' && id !== me);
    const name = String(form.get('name')).trim();
    const first = memberIds[0];
    if (!first) return;
    const conversation =
      memberIds.length === 1 && name === ''
        ? await client.startDirectConversation(first)
        : await client.startGroupConversation(name || memberIds.join(', '), memberIds);
    const entry = conversations.remember(conversation, null);
    view.newConversation.reset();
    await openConversation(conversation.conversationId);
    learnPresence(entry);
  });

  view.loadOlder.addEventListener('click', () => void loadOlder?.());
  view.back.addEventListener('click', closeConversation);
  document.addEventListener('visibilitychange', () => {
    if (open && document.visibilityState === 'visible') client.markRead(open.id);
  });

  const inbox = await client.listConversations({ limit: 50 });
  const details = await Promise.all(
    inbox.items.map((item) => client.api.getConversation(item.conversation.conversationId)),
  );
  details.forEach((conversation, index) => {
    conversations.remember(conversation, inbox.items[index]?.lastMessage ?? null);
  });

  view.me.textContent = me;
  view.signIn.hidden = true;
  view.chat.hidden = false;
  renderConversations();
  startNotifications({
    httpUrl,
    me,
    token,
    panel: { register: view.registerDevice, watched: view.pushesOf, list: view.notifications },
  });
  if (moderator) startModeration(client, view.moderation);
  client.connect();
}
