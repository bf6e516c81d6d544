import {
  type Conversation,
  type ConversationWithMembers,
  createChatClient,
  type Message,
  type OutgoingMessage,
} from '../src/index.ts';

declare global {
  interface Window {
    /** Injected by the page server (serve.ts). */
    CHAT_CONFIG: { httpUrl: string; wsUrl: string };
  }
}

interface ConversationView {
  conversation: Conversation;
  lastMessage: Message | null;
  memberIds: string[];
  /** Other members' read positions. */
  readSeqs: Map<string, number>;
}

const { httpUrl, wsUrl } = window.CHAT_CONFIG;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

function create<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text = '',
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

const view = {
  signIn: element('sign-in'),
  signInForm: element<HTMLFormElement>('sign-in-form'),
  signInError: element('sign-in-error'),
  chat: element('chat'),
  me: element('me'),
  status: element('status'),
  newConversation: element<HTMLFormElement>('new-conversation'),
  conversations: element<HTMLUListElement>('conversations'),
  title: element('conversation-title'),
  loadOlder: element<HTMLButtonElement>('load-older'),
  messages: element<HTMLOListElement>('messages'),
  typing: element('typing'),
  composer: element<HTMLFormElement>('composer'),
  composerFields: element<HTMLFieldSetElement>('composer-fields'),
};

/** The local runtime's development token endpoint; a real app asks its identity provider instead. */
async function devToken(userId: string): Promise<string> {
  const response = await fetch(`${httpUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`No token for ${userId} (HTTP ${response.status})`);
  return ((await response.json()) as { token: string }).token;
}

view.signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const userId = String(new FormData(view.signInForm).get('userId')).trim();
  try {
    await devToken(userId);
    await startChat(userId);
  } catch (error) {
    view.signInError.textContent = error instanceof Error ? error.message : String(error);
  }
});

async function startChat(me: string): Promise<void> {
  const client = createChatClient({ httpUrl, wsUrl, userId: me, getToken: () => devToken(me) });
  const conversations = new Map<string, ConversationView>();
  const presence = new Map<string, 'online' | 'offline'>();
  /** The open conversation's timeline: stored messages by seq, and this device's sends not yet among them. */
  let open: { id: string; messages: Map<number, Message>; sending: Map<string, OutgoingMessage> } | undefined;
  let loadOlder: (() => Promise<void>) | undefined;

  const nameOf = (entry: ConversationView) =>
    entry.conversation.name ?? (entry.memberIds.filter((id) => id !== me).join(', ') || 'Just you');
  const otherMembers = (entry: ConversationView) => entry.memberIds.filter((id) => id !== me);

  function presenceDot(userId: string | undefined): HTMLSpanElement {
    const online = userId !== undefined && presence.get(userId) === 'online';
    const dot = create('span', online ? 'presence online' : 'presence');
    dot.title = online ? `${userId} is online` : 'offline';
    return dot;
  }

  function renderConversations(): void {
    const entries = [...conversations.values()].sort((a, b) =>
      (b.lastMessage?.createdAt ?? b.conversation.createdAt).localeCompare(
        a.lastMessage?.createdAt ?? a.conversation.createdAt,
      ),
    );
    view.conversations.replaceChildren(
      ...entries.map((entry) => {
        const { conversationId } = entry.conversation;
        const item = create('li', 'conversation-item');
        item.dataset.conversationId = conversationId;
        item.setAttribute('aria-current', String(open?.id === conversationId));
        const others = otherMembers(entry);
        const typing = client.usersTyping(conversationId);
        const preview =
          typing.length > 0 ? `${typing.join(', ')} typing…` : (entry.lastMessage?.body ?? 'No messages yet');
        const unread = client.unreadCount(conversationId);
        item.append(
          presenceDot(entry.conversation.type === 'direct' ? others[0] : undefined),
          create('span', 'name', nameOf(entry)),
          unread > 0 ? create('span', 'badge', String(unread)) : create('span', ''),
          create('span', 'preview', preview),
        );
        item.addEventListener('click', () => void openConversation(conversationId));
        return item;
      }),
    );
  }

  function renderTimeline(): void {
    const entry = open && conversations.get(open.id);
    if (!open || !entry) return;
    const stored = [...open.messages.values()].sort((a, b) => a.seq - b.seq);
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
    for (const sending of open.sending.values()) {
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
        retry.addEventListener('click', () => client.retry(sending.clientMessageId));
        state.append(retry);
      }
      item.append(state);
      items.push(item);
    }
    view.messages.replaceChildren(...items);
    view.messages.scrollTop = view.messages.scrollHeight;
  }

  function renderTitle(entry: ConversationView): void {
    view.title.replaceChildren(
      create('span', 'title', nameOf(entry)),
      ...otherMembers(entry).map((userId) => {
        const member = create('span', 'member', userId);
        member.prepend(presenceDot(userId));
        return member;
      }),
    );
  }

  function renderTyping(): void {
    const typing = open ? client.usersTyping(open.id) : [];
    view.typing.textContent =
      typing.length > 0 ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : '';
  }

  function remember(conversation: ConversationWithMembers, lastMessage: Message | null): ConversationView {
    const readSeqs = new Map(
      conversation.members.filter((m) => m.userId !== me).map((m) => [m.userId, m.lastReadSeq] as const),
    );
    const entry: ConversationView = {
      conversation,
      lastMessage: lastMessage ?? conversations.get(conversation.conversationId)?.lastMessage ?? null,
      memberIds: conversation.members.map((m) => m.userId),
      readSeqs,
    };
    conversations.set(conversation.conversationId, entry);
    return entry;
  }

  /**
   * Asks `GET /presence` about `userIds`, by default everyone in the list (at sign-in and after a reconnect);
   * `presence` events only follow changes, so whoever is already online has to be asked once.
   */
  async function refreshPresence(
    userIds = [...new Set([...conversations.values()].flatMap(otherMembers))],
  ): Promise<void> {
    if (userIds.length === 0) return;
    for (let start = 0; start < userIds.length; start += 100)
      for (const user of await client.getPresence(userIds.slice(start, start + 100)))
        presence.set(user.userId, user.status);
    renderConversations();
    const entry = open && conversations.get(open.id);
    if (entry) renderTitle(entry);
  }

  /** A conversation or member that appears brings its presence: the members not known yet are asked about. */
  function learnPresence(entry: ConversationView): void {
    const unknown = otherMembers(entry).filter((userId) => !presence.has(userId));
    if (unknown.length > 0) void refreshPresence(unknown);
  }

  async function openConversation(conversationId: string): Promise<void> {
    const entry = conversations.get(conversationId);
    if (!entry) return;
    open = { id: conversationId, messages: new Map(), sending: new Map() };
    const current = open;
    renderTitle(entry);
    view.composerFields.disabled = false;
    const history = client.history(conversationId);
    loadOlder = async () => {
      for (const message of await history.loadOlder()) current.messages.set(message.seq, message);
      view.loadOlder.hidden = !history.hasMore;
      if (open === current) renderTimeline();
    };
    await loadOlder();
    client.markRead(conversationId);
    renderConversations();
    renderTyping();
  }

  client.on('status', (status) => {
    view.status.textContent = status;
    view.status.dataset.status = status;
    if (status === 'open') void refreshPresence();
  });

  client.on('message', async (message) => {
    let entry = conversations.get(message.conversationId);
    if (!entry) {
      entry = remember(await client.api.getConversation(message.conversationId), message);
      learnPresence(entry);
    }
    if (!entry.lastMessage || message.seq >= entry.lastMessage.seq) entry.lastMessage = message;
    if (open?.id === message.conversationId) {
      open.messages.set(message.seq, message);
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

  client.on('unread', renderConversations);

  client.on('typing', (event) => {
    if (open?.id === event.conversationId) renderTyping();
    renderConversations();
  });

  client.on('presence', (event) => {
    presence.set(event.userId, event.status);
    renderConversations();
    const entry = open && conversations.get(open.id);
    if (entry) renderTitle(entry);
  });

  client.on('read', (event) => {
    const entry = conversations.get(event.conversationId);
    if (!entry) return;
    entry.readSeqs.set(event.userId, Math.max(event.seq, entry.readSeqs.get(event.userId) ?? 0));
    if (open?.id === event.conversationId) renderTimeline();
  });

  client.on('conversation.updated', (conversation) => {
    learnPresence(remember(conversation, null));
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
    const entry = remember(conversation, null);
    view.newConversation.reset();
    await openConversation(conversation.conversationId);
    learnPresence(entry);
  });

  const bodyInput = view.composer.querySelector<HTMLInputElement>('input[name="body"]');
  bodyInput?.addEventListener('input', () => {
    if (open && bodyInput.value !== '') client.typing(open.id);
  });
  view.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = bodyInput?.value.trim() ?? '';
    if (!open || !bodyInput || body === '') return;
    const sending = client.send(open.id, body);
    open.sending.set(sending.clientMessageId, sending);
    bodyInput.value = '';
    renderTimeline();
  });
  view.loadOlder.addEventListener('click', () => void loadOlder?.());
  document.addEventListener('visibilitychange', () => {
    if (open && document.visibilityState === 'visible') client.markRead(open.id);
  });

  const inbox = await client.listConversations({ limit: 50 });
  const details = await Promise.all(
    inbox.items.map((item) => client.api.getConversation(item.conversation.conversationId)),
  );
  details.forEach((conversation, index) => {
    remember(conversation, inbox.items[index]?.lastMessage ?? null);
  });

  view.me.textContent = me;
  view.signIn.hidden = true;
  view.chat.hidden = false;
  renderConversations();
  client.connect();
}
