import type { UploadedAttachment, UploadOptions } from './attachments.ts';
import { Connection, type ConnectionStatus } from './connection.ts';
import { Emitter } from './emitter.ts';
import { describeError } from './errors.ts';
import { type ChatEvents, routeFrame } from './events.ts';
import { defaultMaxConnectionAgeMs } from './handover.ts';
import { HistoryPager } from './history.ts';
import { ChatApi } from './http-api.ts';
import type { WebSocketConstructor } from './link.ts';
import { defaultHeartbeatIntervalMs, defaultPongTimeoutMs } from './liveness.ts';
import type { ChatClientOptions } from './options.ts';
import type { OutgoingMessage } from './outbox.ts';
import { watchWakeUps } from './platform.ts';
import type {
  ConversationWithMembers,
  InboxPage,
  Message,
  NewReport,
  Presence,
  ServerFrame,
} from './protocol.ts';
import { type MessageOptions, Sends } from './sends.ts';
import { MessageSequencer } from './sequencer.ts';
import { SuspensionWatch } from './suspension.ts';
import { TypingIndicators, TypingSignals } from './typing.ts';
import { UnreadCounts } from './unread.ts';

/** A chat client: one self-healing socket, optimistic sends, ordered exactly-once delivery and helpers. */
export class ChatClient {
  /** The HTTP API, for what the helpers below do not cover. */
  readonly api: ChatApi;
  /** The moderators' routes (a token with the group `moderators`). */
  readonly moderation: ChatApi['moderation'];
  private readonly userId: string;
  private readonly events = new Emitter<ChatEvents>();
  private readonly connection: Connection;
  private readonly sends: Sends;
  private readonly sequencer: MessageSequencer;
  private readonly unreadCounts: UnreadCounts;
  private readonly typingSignals: TypingSignals;
  private readonly typingIndicators: TypingIndicators;
  /** Read marks made while offline: only the highest per conversation matters. */
  private readonly unsentReads = new Map<string, number>();
  private stopWatchingWakeUps: (() => void) | undefined;
  private readonly suspension = new SuspensionWatch(this, (error) => this.events.emit('error', error));

  constructor(options: ChatClientOptions) {
    this.userId = options.userId;
    this.api = new ChatApi({ ...options, onError: (error) => this.suspension.requestFailed(error) });
    this.moderation = this.api.moderation;
    this.connection = new Connection({
      url: options.wsUrl,
      getToken: options.getToken,
      WebSocket: options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor),
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs ?? defaultPongTimeoutMs,
      maxConnectionAgeMs: options.maxConnectionAgeMs ?? defaultMaxConnectionAgeMs,
      backoff: { initialDelayMs: 1000, maxDelayMs: 30_000, ...options.reconnect },
      onStatus: (status) => this.statusChanged(status),
      onFrame: (frame) =>
        routeFrame(frame as ServerFrame, {
          outbox: this.sends.outbox,
          sequencer: this.sequencer,
          typingIndicators: this.typingIndicators,
          unreadCounts: this.unreadCounts,
          events: this.events,
        }),
      awaitsAnswer: (linkId) => this.sends.outbox.awaitsAnswer(linkId),
      onLinkRetired: (linkId) => this.sends.outbox.linkRetired(linkId),
      onRefused: () => this.suspension.socketRefused(),
    });
    const transmit = this.connection.send.bind(this.connection);
    this.sends = new Sends(this.api, options, {
      transmit,
      onUnanswered: () => void this.connection.check(),
      currentLink: () => this.connection.linkId,
      onAnswered: (linkId) => this.connection.answered(linkId),
      onChange: (message) => this.events.emit('outgoing', message),
    });
    this.sequencer = new MessageSequencer({
      fetchAfter: (conversationId, after) => this.api.listMessages(conversationId, { after, limit: 100 }),
      deliver: (message) => this.deliver(message),
      gapWaitMs: options.gapWaitMs ?? 1000,
      holeWaitMs: options.holeWaitMs ?? 15_000,
      onError: (error) => this.events.emit('error', describeError(error)),
    });
    this.unreadCounts = new UnreadCounts((event) => this.events.emit('unread', event));
    this.typingSignals = new TypingSignals({
      transmit,
      refreshMs: options.typing?.refreshMs ?? 3000,
      idleMs: options.typing?.idleMs ?? 4000,
    });
    this.typingIndicators = new TypingIndicators({
      timeoutMs: options.typing?.showForMs ?? 6000,
      onChange: (event) => this.events.emit('typing', event),
    });
  }

  get status(): ConnectionStatus {
    return this.connection.status;
  }

  on<K extends keyof ChatEvents>(type: K, listener: (payload: ChatEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  /**
   * Opens the socket and keeps it open, reconnecting as needed, until `disconnect()`. In a browser it also checks
   * the connection when the network comes back (`online`) and when the page becomes visible again.
   */
  connect(): void {
    this.stopWatchingWakeUps ??= watchWakeUps(() => void this.checkConnection());
    this.connection.start();
  }

  disconnect(): void {
    this.stopWatchingWakeUps?.();
    this.stopWatchingWakeUps = undefined;
    this.connection.stop();
  }

  /**
   * Asks the server to answer on the open socket: resolves true when it does, false when the socket is not open
   * or no answer comes within `pongTimeoutMs`; the socket is then closed and replaced (status `reconnecting`).
   * While waiting to reconnect it tries at once. Call it when the app returns to the foreground or the network
   * changes (React Native: AppState 'active', NetInfo); browsers get this by themselves.
   */
  checkConnection(): Promise<boolean> {
    return this.connection.check();
  }

  /** Shows at once as `pending`; goes out now or, when offline, in order after reconnecting (reactions: `api.react`). */
  send(conversationId: string, body: string, options: MessageOptions = {}): OutgoingMessage {
    this.typingSignals.stop(conversationId);
    return this.sends.send(conversationId, body, options);
  }

  /** Sends a failed message again with the same `clientMessageId`, so it is never stored twice. */
  retry(clientMessageId: string): OutgoingMessage | undefined {
    return this.sends.retry(clientMessageId);
  }

  /** Uploads one file to a conversation, for a send's `attachmentIds`; store failures are tried again. */
  uploadAttachment(conversationId: string, file: Blob, options?: UploadOptions): Promise<UploadedAttachment> {
    return this.sends.attachments.upload(conversationId, file, options);
  }

  /** A file's bytes (`variant: 'thumbnail'`: its preview); a `not_found` ChatApiError when there is none. */
  attachmentBlob(conversationId: string, attachmentId: string, options: { variant?: 'thumbnail' } = {}) {
    return this.sends.attachments.download(conversationId, attachmentId, options.variant);
  }

  /** Call on every keystroke; frames are coalesced and typing stops by itself when the user pauses. */
  typing(conversationId: string): void {
    this.typingSignals.keystroke(conversationId);
  }

  stopTyping(conversationId: string): void {
    this.typingSignals.stop(conversationId);
  }

  /** The other users typing in a conversation right now. */
  usersTyping(conversationId: string): string[] {
    return this.typingIndicators.usersTyping(conversationId);
  }

  /** Moves the read position to `seq` (default: the newest message known); kept for reconnect when offline. */
  markRead(conversationId: string, seq = this.unreadCounts.lastSeq(conversationId)): void {
    if (seq === undefined || !this.unreadCounts.markedRead(conversationId, seq)) return;
    if (!this.connection.send({ action: 'markRead', conversationId, seq }))
      this.unsentReads.set(conversationId, seq);
  }

  unreadCount(conversationId: string): number {
    return this.unreadCounts.count(conversationId);
  }

  get unreadTotal(): number {
    return this.unreadCounts.total;
  }

  /** A page of the inbox; its last messages and unread counts become the client's starting point. */
  async listConversations(page: { limit?: number; cursor?: string } = {}): Promise<InboxPage> {
    const inbox = await this.api.listConversations(page);
    for (const { conversation, lastMessage } of inbox.items) {
      if (lastMessage) this.sequencer.markSeen(conversation.conversationId, lastMessage.seq);
    }
    this.unreadCounts.seed(inbox.items);
    return inbox;
  }

  /** Pages back from the newest message; messages shown from it are not delivered again as `message`. */
  history(conversationId: string, pageSize = 50): HistoryPager {
    return new HistoryPager(
      (before) => this.api.listMessages(conversationId, { before, limit: pageSize }),
      (messages) => {
        const newest = messages.at(-1);
        if (newest) this.sequencer.markSeen(conversationId, newest.seq);
      },
    );
  }

  startDirectConversation(otherUserId: string): Promise<ConversationWithMembers> {
    return this.api.createDirectConversation(otherUserId).then((c) => this.following(c));
  }

  startGroupConversation(name: string, memberIds: string[]): Promise<ConversationWithMembers> {
    return this.api.createGroupConversation(name, memberIds).then((c) => this.following(c));
  }

  /** A conversation this client starts: its live messages are new from its `lastSeq` on. */
  private following(conversation: ConversationWithMembers): ConversationWithMembers {
    this.sequencer.follow(conversation.conversationId, conversation.lastSeq);
    return conversation;
  }

  /** Reports a message to the moderators; reporting it again answers the same `reportId`. */
  reportMessage(conversationId: string, messageId: string, report: NewReport): Promise<{ reportId: string }> {
    return this.api.reportMessage(conversationId, messageId, report);
  }

  /** Current presence of a set of users; changes then arrive as `presence` events. */
  getPresence(userIds: string[]): Promise<Presence[]> {
    return this.api.getPresence(userIds);
  }

  private statusChanged(status: ConnectionStatus): void {
    if (status === 'open') {
      this.suspension.socketOpened();
      for (const [conversationId, seq] of this.unsentReads)
        this.connection.send({ action: 'markRead', conversationId, seq });
      this.unsentReads.clear();
      this.sends.outbox.flush();
      // Also on the first open: messages may have come between the inbox or history load and the socket.
      void this.sequencer.recoverAll();
    } else {
      this.sends.outbox.connectionLost();
    }
    this.events.emit('status', status);
  }

  private deliver(message: Message): void {
    this.unreadCounts.messageArrived(message.conversationId, message.seq, message.senderId === this.userId);
    this.typingIndicators.clear(message.conversationId, message.senderId);
    this.events.emit('message', message);
  }
}

/** Creates a client; call `connect()` to go online. */
export function createChatClient(options: ChatClientOptions): ChatClient {
  return new ChatClient(options);
}
