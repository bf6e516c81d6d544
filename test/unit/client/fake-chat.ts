/** The client against a fake WebSocket (the test plays the server) and a fake HTTP API, for fake timers. */
import { vi } from 'vitest';
import {
  type ChatClientOptions,
  type ConnectionStatus,
  createChatClient,
  type FetchLike,
  type InboxEntry,
  type Message,
  type OutgoingMessage,
  type WebSocketLike,
} from '../../../client/src/index.ts';

export type Frame = Record<string, unknown>;
type Listener = (event: { data: unknown }) => void;

/**
 * Stands in for the platform WebSocket; the test plays the server through open, receive and drop. Like the
 * server, it answers a `heartbeat` with `reply: true` with a `pong` (on the next microtask), unless `silent`.
 */
export class FakeSocket implements WebSocketLike {
  readonly sent: Frame[] = [];
  closed = false;
  /** A dead socket: frames go nowhere and nothing answers. */
  silent = false;
  /** What the fake server puts in its pongs as `heartbeatIntervalSeconds` (absent when undefined). */
  static heartbeatIntervalSeconds: number | undefined;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {}

  send(data: string): void {
    const frame = JSON.parse(data);
    this.sent.push(frame);
    if (frame.action === 'heartbeat' && frame.reply === true) {
      queueMicrotask(() => {
        if (this.silent || this.closed) return;
        const interval = FakeSocket.heartbeatIntervalSeconds;
        this.receive({
          type: 'pong',
          at: new Date().toISOString(),
          ...(interval === undefined ? {} : { heartbeatIntervalSeconds: interval }),
        });
      });
    }
  }

  /** The heartbeats sent, as `reply` true or false (a routine one has no `reply`). */
  heartbeats(): boolean[] {
    return this.sentActions('heartbeat').map((frame) => frame.reply === true);
  }

  close(): void {
    this.closed = true;
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  open(): void {
    this.fire('open');
  }

  receive(frame: Frame): void {
    this.fire('message', { data: JSON.stringify(frame) });
  }

  /** The network or the server (idle timeout, 2-hour limit) closes the socket. */
  drop(): void {
    this.fire('close');
  }

  sentActions(action: string): Frame[] {
    return this.sent.filter((frame) => frame.action === action);
  }

  private fire(type: string, event: { data: unknown } = { data: undefined }): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

export const message = (seq: number, senderId = 'bob', conversationId = 'c1'): Message => ({
  conversationId,
  messageId: `m-${conversationId}-${seq}`,
  seq,
  senderId,
  body: `message ${seq}`,
  clientMessageId: `client-${seq}`,
  createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
});

const answer = async (status: number, body: unknown) => ({
  ok: status < 400,
  status,
  json: async () => body,
});

/** The HTTP side: an inbox and stored messages, paged like the real API. */
function fakeServer() {
  const stored: Message[] = [];
  const inbox: InboxEntry[] = [];
  const fetch = vi.fn<FetchLike>(async (url) => {
    const { pathname, searchParams } = new URL(url);
    if (pathname === '/conversations') return answer(200, { items: inbox, cursor: null });
    const conversationId = /^\/conversations\/([^/]+)\/messages$/.exec(pathname)?.[1];
    if (!conversationId)
      return answer(404, { error: { code: 'not_found', message: `${pathname} not found` } });
    const limit = Number(searchParams.get('limit') ?? 50);
    const after = searchParams.get('after');
    const before = searchParams.get('before');
    const inConversation = stored.filter((m) => m.conversationId === conversationId);
    const matching =
      after === null
        ? inConversation
            .filter((m) => before === null || m.seq < Number(before))
            .sort((a, b) => b.seq - a.seq)
        : inConversation.filter((m) => m.seq > Number(after)).sort((a, b) => a.seq - b.seq);
    return answer(200, { items: matching.slice(0, limit), hasMore: matching.length > limit });
  });
  return { stored, inbox, fetch };
}

export function setUp(options: Partial<ChatClientOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const server = fakeServer();
  let tokensIssued = 0;
  const client = createChatClient({
    httpUrl: 'http://chat.test',
    wsUrl: 'ws://chat.test',
    userId: 'alice',
    getToken: async () => {
      tokensIssued += 1;
      return `token-${tokensIssued}`;
    },
    WebSocket: class extends FakeSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    },
    fetch: server.fetch,
    ...options,
  });
  const delivered: Message[] = [];
  const outgoing: OutgoingMessage[] = [];
  const statuses: ConnectionStatus[] = [];
  client.on('message', (m) => delivered.push(m));
  client.on('outgoing', (m) => outgoing.push(m));
  client.on('status', (s) => statuses.push(s));
  const socket = () => {
    const latest = sockets.at(-1);
    if (!latest) throw new Error('no socket was opened');
    return latest;
  };
  return {
    client,
    server,
    sockets,
    socket,
    delivered,
    outgoing,
    statuses,
    /** Waits for the token, then lets the newest socket open. */
    async opens() {
      await vi.advanceTimersByTimeAsync(0);
      socket().open();
      await vi.advanceTimersByTimeAsync(0);
    },
    async connect() {
      client.connect();
      await this.opens();
    },
    /** The socket drops and the reconnect after the first backoff step succeeds. */
    async reconnect() {
      socket().drop();
      await vi.advanceTimersByTimeAsync(1000);
      socket().open();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

export const bodiesSent = (socket: FakeSocket) =>
  socket.sentActions('sendMessage').map((frame) => frame.body);
export const seqs = (messages: Message[]) => messages.map((m) => m.seq);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
