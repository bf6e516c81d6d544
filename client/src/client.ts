import type { BackoffOptions } from './backoff.ts';
import { Connection, type ConnectionStatus, type TokenProvider } from './connection.ts';
import { Emitter } from './emitter.ts';
import { defaultMaxConnectionAgeMs } from './handover.ts';
import { HistoryPager } from './history.ts';
import { ChatApi, ChatApiError, type FetchLike } from './http-api.ts';
import type { WebSocketConstructor } from './link.ts';
import { defaultHeartbeatIntervalMs, defaultPongTimeoutMs } from './liveness.ts';
import { Outbox, type OutgoingMessage } from './outbox.ts';
import { watchWakeUps } from './platform.ts';
import type {
  ConversationWithMembers,
  InboxPage,
  Message,
  MessageDeletedEvent,
  Presence,
  ReadEvent,
  ServerError,
  ServerFrame,
  TypingEvent,
  UnreadEvent,
} from './protocol.ts';
import { MessageSequencer } from './sequencer.ts';
import { TypingIndicators, TypingSignals } from './typing.ts';
import { UnreadCounts } from './unread.ts';

export interface ChatClientOptions {
  /** Base URL of the HTTP API, e.g. `https://api.example.com` or `http://127.0.0.1:3000`. */
  httpUrl: string;
  /** URL of the WebSocket API, e.g. `wss://ws.example.com/prod`; the token is added as `?token=`. */
  wsUrl: string;
  /** The signed-in user (the token's `sub`): their own messages are never unread. */
  userId: string;
  /** Called before every connection attempt and every HTTP request; cache inside it if fetching is costly. */
  getToken: TokenProvider;
  /** Defaults to `globalThis.WebSocket`; pass `ws`'s `WebSocket` on Node before 22. */
  WebSocket?: WebSocketConstructor;
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchLike;
  /**
   * Heartbeat period until the server names its own in the first `pong` (`heartbeatIntervalSeconds`), which then
   * wins. Heartbeats only keep API Gateway's 10-minute idle timeout away. @default 540000 (9 minutes)
   */
  heartbeatIntervalMs?: number;
  /** `checkConnection()` treats the socket as dead when its `pong` does not come within this. @default 10000 */
  pongTimeoutMs?: number;
  /** A send without ack for this long makes the client check the connection. @default 5000 */
  probeDelayMs?: number;
  /**
   * The gateway's maximum connection age (API Gateway: 2 hours). Shortly before it (5 minutes, or a quarter of
   * a shorter age) the client opens its next connection and moves over without a gap. @default 7200000
   */
  maxConnectionAgeMs?: number;
  /** Reconnection backoff. @default { initialDelayMs: 1000, maxDelayMs: 30000 } */
  reconnect?: Partial<BackoffOptions>;
  /** A sent message without ack for this long turns `failed` with code `timeout`. @default defaultAckTimeoutMs */
  ackTimeoutMs?: number;
  /** How long a gap in `seq` may wait for the missing messages before fetching them. @default 1000 */
  gapWaitMs?: number;
  /** Typing: resend period while typing, idle time that stops it, and how long others' typing shows. */
  typing?: { refreshMs?: number; idleMs?: number; showForMs?: number };
  /** Makes `clientMessageId`s. @default crypto.randomUUID where available */
  createId?: () => string;
}

/** The client's events; `on(type, listener)` returns the function that unsubscribes. */
export interface ChatEvents {
  status: ConnectionStatus;
  /** Every message of every conversation this client follows, each once and in seq order, the user's own too. */
  message: Message;
  /** This device's sends: pending → sent, or failed (retry with `retry`). */
  outgoing: OutgoingMessage;
  'message.updated': Message;
  'message.deleted': MessageDeletedEvent;
  /** Someone else started or stopped typing (stopping also happens by itself). */
  typing: TypingEvent;
  presence: Presence;
  /** Another member read up to `seq`. */
  read: ReadEvent;
  /** A conversation's unread count (and the total) changed. */
  unread: UnreadEvent;
  'conversation.updated': ConversationWithMembers;
  /** A server error not tied to one send, or a failed recovery fetch (code `network` when unreachable). */
  error: ServerError;
}

/**
 * The server's functions time out after 30 s (the stack's Lambda time-out). Before that a stalled send is
 * answered with an `error` event, code `internal`, naming its `clientMessageId` (the server keeps a tenth of the
 * time, at most 3 s, to answer), which marks the send `failed` at once; `retry` sends it again with the same id,
 * and the server stores it once. So every send is answered, ack or error, within the function time-out: the
 * ack time-out waits that long plus a round trip, and a send that is only slow is never shown failed. Only a
 * frame or an answer lost on the way (a socket gone silent) waits this long to fail with `timeout`.
 */
export const serverFunctionTimeoutMs = 30_000;
export const defaultAckTimeoutMs = serverFunctionTimeoutMs + 2_000;
/**
 * A send normally has its ack within a second; after this long without one the client checks the connection,
 * so a dead socket is found `defaultProbeDelayMs + pongTimeoutMs` after a send, long before the ack time-out.
 */
export const defaultProbeDelayMs = 5_000;

/** A chat client: one self-healing socket, optimistic sends, ordered exactly-once delivery and helpers. */
export class ChatClient {
  /** The HTTP API, for what the helpers below do not cover. */
  readonly api: ChatApi;
  private readonly userId: string;
  private readonly events = new Emitter<ChatEvents>();
  private readonly connection: Connection;
  private readonly outbox: Outbox;
  private readonly sequencer: MessageSequencer;
  private readonly unreadCounts: UnreadCounts;
  private readonly typingSignals: TypingSignals;
  private readonly typingIndicators: TypingIndicators;
  private readonly createId: () => string;
  /** Read marks made while offline: only the highest per conversation matters. */
  private readonly unsentReads = new Map<string, number>();
  private stopWatchingWakeUps: (() => void) | undefined;

  constructor(options: ChatClientOptions) {
    this.userId = options.userId;
    this.api = new ChatApi(options);
    this.createId = options.createId ?? createClientMessageId;
    this.connection = new Connection({
      url: options.wsUrl,
      getToken: options.getToken,
      WebSocket: options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor),
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs ?? defaultPongTimeoutMs,
      maxConnectionAgeMs: options.maxConnectionAgeMs ?? defaultMaxConnectionAgeMs,
      backoff: { initialDelayMs: 1000, maxDelayMs: 30_000, ...options.reconnect },
      onStatus: (status) => this.statusChanged(status),
      onFrame: (frame) => this.handleFrame(frame as ServerFrame),
      onLinkRetired: (linkId) => this.outbox.linkRetired(linkId),
    });
    const transmit = this.connection.send.bind(this.connection);
    this.outbox = new Outbox({
      transmit,
      ackTimeoutMs: options.ackTimeoutMs ?? defaultAckTimeoutMs,
      probeDelayMs: options.probeDelayMs ?? defaultProbeDelayMs,
      onUnanswered: () => void this.connection.check(),
      currentLink: () => this.connection.linkId,
      onChange: (message) => this.events.emit('outgoing', message),
    });
    this.sequencer = new MessageSequencer({
      fetchAfter: (conversationId, after) => this.api.listMessages(conversationId, { after, limit: 100 }),
      deliver: (message) => this.deliver(message),
      gapWaitMs: options.gapWaitMs ?? 1000,
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

  /** Shows at once as `pending`; goes out now or, when offline, in order after reconnecting. */
  send(conversationId: string, body: string): OutgoingMessage {
    this.typingSignals.stop(conversationId);
    return this.outbox.add(conversationId, this.createId(), body);
  }

  /** Sends a failed message again with the same `clientMessageId`, so it is never stored twice. */
  retry(clientMessageId: string): OutgoingMessage | undefined {
    return this.outbox.retry(clientMessageId);
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
    return this.api.createDirectConversation(otherUserId);
  }

  startGroupConversation(name: string, memberIds: string[]): Promise<ConversationWithMembers> {
    return this.api.createGroupConversation(name, memberIds);
  }

  /** Current presence of a set of users; changes then arrive as `presence` events. */
  getPresence(userIds: string[]): Promise<Presence[]> {
    return this.api.getPresence(userIds);
  }

  private statusChanged(status: ConnectionStatus): void {
    if (status === 'open') {
      for (const [conversationId, seq] of this.unsentReads)
        this.connection.send({ action: 'markRead', conversationId, seq });
      this.unsentReads.clear();
      this.outbox.flush();
      // Also on the first open: messages may have come between the inbox or history load and the socket.
      void this.sequencer.recoverAll();
    } else {
      this.outbox.connectionLost();
    }
    this.events.emit('status', status);
  }

  private handleFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message.ack':
        this.outbox.acknowledge(frame.clientMessageId, frame.message);
        this.sequencer.receive(frame.message);
        return;
      case 'message.new':
        this.sequencer.receive(frame.message);
        return;
      case 'message.updated':
        this.events.emit('message.updated', frame.message);
        return;
      case 'message.deleted':
        this.events.emit('message.deleted', {
          conversationId: frame.conversationId,
          messageId: frame.messageId,
          seq: frame.seq,
        });
        return;
      case 'typing':
        this.typingIndicators.update(frame);
        return;
      case 'presence':
        this.events.emit('presence', {
          userId: frame.userId,
          status: frame.status,
          lastSeenAt: frame.lastSeenAt,
        });
        return;
      case 'read':
        this.events.emit('read', {
          conversationId: frame.conversationId,
          userId: frame.userId,
          seq: frame.seq,
        });
        return;
      case 'unread':
        this.unreadCounts.serverCount(frame);
        return;
      case 'conversation.updated':
        this.events.emit('conversation.updated', frame.conversation);
        return;
      case 'error': {
        const { type: _, ...error } = frame;
        const failedSend =
          error.clientMessageId !== undefined && this.outbox.fail(error.clientMessageId, error);
        if (!failedSend) this.events.emit('error', error);
        return;
      }
    }
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

/** A unique `clientMessageId`: a UUID where `crypto.randomUUID` exists (browsers, Node), else random base-36. */
export function createClientMessageId(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  // React Native has no `crypto` without a polyfill; uniqueness among one user's sends is all that is needed.
  const random = () => Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${random()}${random()}`;
}

function describeError(error: unknown): ServerError {
  if (error instanceof ChatApiError) return { code: error.code, message: error.message };
  return { code: 'network', message: error instanceof Error ? error.message : String(error) };
}
