import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatClientOptions,
  type ConnectionStatus,
  createChatClient,
  defaultAckTimeoutMs,
  type FetchLike,
  type InboxEntry,
  type Message,
  type OutgoingMessage,
  serverFunctionTimeoutMs,
  type TypingEvent,
  type UnreadEvent,
  type WebSocketLike,
} from '../../../client/src/index.ts';

type Frame = Record<string, unknown>;
type Listener = (event: { data: unknown }) => void;

/** Stands in for the platform WebSocket; the test plays the server through open, receive and drop. */
class FakeSocket implements WebSocketLike {
  readonly sent: Frame[] = [];
  closed = false;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
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

const message = (seq: number, senderId = 'bob', conversationId = 'c1'): Message => ({
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

function setUp(options: Partial<ChatClientOptions> = {}) {
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

const bodiesSent = (socket: FakeSocket) => socket.sentActions('sendMessage').map((frame) => frame.body);
const seqs = (messages: Message[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeEach(() => {
  vi.useFakeTimers();
  // Jitter at its top: every backoff delay is the full step (1 s, 2 s, 4 s, ...).
  vi.spyOn(Math, 'random').mockReturnValue(1);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('connection', () => {
  it('asks the token provider for a token on every connection attempt', async () => {
    const chat = setUp();
    await chat.connect();

    await chat.reconnect();

    expect(chat.sockets.map((s) => s.url)).toEqual([
      'ws://chat.test?token=token-1',
      'ws://chat.test?token=token-2',
    ]);
  });

  it('reports connecting, open, reconnecting and offline as the connection changes', async () => {
    const chat = setUp();

    await chat.connect();
    await chat.reconnect();
    chat.client.disconnect();

    expect(chat.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open', 'offline']);
    expect(chat.socket().closed).toBe(true);
  });

  it('waits twice as long after each failed attempt, up to the cap', async () => {
    const chat = setUp({ reconnect: { initialDelayMs: 1000, maxDelayMs: 4000 } });
    await chat.connect();
    const attemptTimes: number[] = [];
    const start = Date.now();

    for (let failures = 0; failures < 4; failures++) {
      const before = chat.sockets.length;
      chat.socket().drop();
      while (chat.sockets.length === before) await vi.advanceTimersByTimeAsync(100);
      attemptTimes.push(Date.now() - start);
    }

    expect(attemptTimes).toEqual([1000, 3000, 7000, 11_000]);
  });

  it('starts the backoff from the first step again once a connection succeeded', async () => {
    const chat = setUp();
    await chat.connect();
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(2000);
    await chat.opens();

    await chat.reconnect();

    expect(chat.sockets).toHaveLength(4);
    expect(chat.client.status).toBe('open');
  });

  it('sends a heartbeat at the configured interval while the server answers', async () => {
    const chat = setUp({ heartbeatIntervalMs: 10_000 });
    await chat.connect();

    for (let beat = 0; beat < 3; beat++) {
      await vi.advanceTimersByTimeAsync(10_000);
      chat.socket().receive({ type: 'pong', at: new Date().toISOString() });
    }

    expect(chat.socket().sentActions('heartbeat')).toHaveLength(3);
    expect(chat.sockets).toHaveLength(1);
  });

  it('replaces a socket that stays silent for a whole heartbeat interval', async () => {
    const chat = setUp();
    await chat.connect();
    const silent = chat.socket();

    await vi.advanceTimersByTimeAsync(60_000);

    expect(silent.closed).toBe(true);
    expect(chat.client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(chat.sockets).toHaveLength(2);
  });
});

describe('sending', () => {
  it('shows a message as pending at once and as sent when the server acknowledges it', async () => {
    const chat = setUp();
    await chat.connect();

    const pending = chat.client.send('c1', 'hello');
    const frame = chat.socket().sentActions('sendMessage')[0];
    const stored = { ...message(1, 'alice'), clientMessageId: pending.clientMessageId, body: 'hello' };
    chat.socket().receive({ type: 'message.ack', clientMessageId: pending.clientMessageId, message: stored });

    expect(pending.status).toBe('pending');
    expect(frame).toEqual({
      action: 'sendMessage',
      conversationId: 'c1',
      clientMessageId: pending.clientMessageId,
      body: 'hello',
    });
    expect(chat.outgoing.at(-1)).toMatchObject({ status: 'sent', message: stored });
    expect(chat.delivered).toEqual([stored]);
  });

  it('marks a rejected message failed with the error code and retries it under the same clientMessageId', async () => {
    const chat = setUp();
    await chat.connect();
    const { clientMessageId } = chat.client.send('c1', 'x'.repeat(5000));

    chat
      .socket()
      .receive({ type: 'error', code: 'payload_too_large', message: 'too large', clientMessageId });
    const failed = chat.outgoing.at(-1);
    const retried = chat.client.retry(clientMessageId);

    expect(failed).toMatchObject({ status: 'failed', error: { code: 'payload_too_large' } });
    expect(retried?.status).toBe('pending');
    expect(
      chat
        .socket()
        .sentActions('sendMessage')
        .map((frame) => frame.clientMessageId),
    ).toEqual([clientMessageId, clientMessageId]);
  });

  it('by default waits past the server function time-out before calling a send failed', async () => {
    const chat = setUp();
    await chat.connect();
    chat.client.send('c1', 'slow but fine');

    // The server answers (ack or error) within its function time-out; no `timeout` before then.
    await vi.advanceTimersByTimeAsync(serverFunctionTimeoutMs);
    expect(chat.outgoing.at(-1)?.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(defaultAckTimeoutMs - serverFunctionTimeoutMs);
    expect(chat.outgoing.at(-1)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
  });

  it('marks a message failed when no answer comes in time, and sent if the ack comes late', async () => {
    const chat = setUp({ ackTimeoutMs: 5000 });
    await chat.connect();
    const { clientMessageId } = chat.client.send('c1', 'hello?');

    await vi.advanceTimersByTimeAsync(5000);
    const timedOut = chat.outgoing.at(-1);
    chat.socket().receive({
      type: 'message.ack',
      clientMessageId,
      message: { ...message(1, 'alice'), clientMessageId },
    });

    expect(timedOut).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    expect(chat.outgoing.at(-1)?.status).toBe('sent');
  });

  it('resends queued messages in order after reconnecting, one at a time per conversation', async () => {
    const chat = setUp();
    await chat.connect();
    const first = chat.client.send('c1', 'first');
    chat.socket().drop();
    chat.client.send('c1', 'second');
    chat.client.send('c1', 'third');
    chat.client.send('c2', 'elsewhere');

    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().open();
    const onReconnect = bodiesSent(chat.socket());
    for (let seq = 1; seq <= 3; seq++) {
      const inFlight = chat
        .socket()
        .sentActions('sendMessage')
        .filter((frame) => frame.conversationId === 'c1');
      const clientMessageId = String(inFlight.at(-1)?.clientMessageId);
      chat.socket().receive({
        type: 'message.ack',
        clientMessageId,
        message: { ...message(seq, 'alice'), clientMessageId },
      });
    }

    expect(onReconnect).toEqual(['first', 'elsewhere']);
    expect(bodiesSent(chat.socket())).toEqual(['first', 'elsewhere', 'second', 'third']);
    expect(chat.socket().sentActions('sendMessage')[0]?.clientMessageId).toBe(first.clientMessageId);
  });
});

describe('receiving', () => {
  it('delivers a message that arrives twice only once, without fetching anything', async () => {
    const chat = setUp();
    await chat.connect();

    chat.socket().receive({ type: 'message.new', message: message(1) });
    chat.socket().receive({ type: 'message.new', message: message(1) });
    chat.socket().receive({ type: 'message.new', message: message(2) });
    await vi.advanceTimersByTimeAsync(5000);

    expect(seqs(chat.delivered)).toEqual([1, 2]);
    expect(chat.server.fetch).not.toHaveBeenCalled();
  });

  it('fetches the missing messages when a seq is skipped and delivers them in order', async () => {
    const chat = setUp({ gapWaitMs: 500 });
    await chat.connect();
    chat.server.stored.push(...range(1, 4).map((seq) => message(seq)));

    chat.socket().receive({ type: 'message.new', message: message(1) });
    chat.socket().receive({ type: 'message.new', message: message(4) });
    const beforeFetch = seqs(chat.delivered);
    await vi.advanceTimersByTimeAsync(500);

    expect(beforeFetch).toEqual([1]);
    expect(chat.server.fetch).toHaveBeenCalledWith(
      'http://chat.test/conversations/c1/messages?after=1&limit=100',
      expect.objectContaining({ method: 'GET' }),
    );
    expect(seqs(chat.delivered)).toEqual([1, 2, 3, 4]);
  });

  it('does not fetch a gap that the socket fills within the wait', async () => {
    const chat = setUp();
    await chat.connect();

    chat.socket().receive({ type: 'message.new', message: message(1) });
    chat.socket().receive({ type: 'message.ack', clientMessageId: 'client-3', message: message(3, 'alice') });
    chat.socket().receive({ type: 'message.new', message: message(2) });
    await vi.advanceTimersByTimeAsync(5000);

    expect(seqs(chat.delivered)).toEqual([1, 2, 3]);
    expect(chat.server.fetch).not.toHaveBeenCalled();
  });

  it('fetches everything missed while disconnected, page by page, before newer messages', async () => {
    const chat = setUp();
    await chat.connect();
    chat.socket().receive({ type: 'message.new', message: message(1) });
    chat.server.stored.push(...range(1, 150).map((seq) => message(seq)));

    await chat.reconnect();
    chat.socket().receive({ type: 'message.new', message: message(151) });

    expect(seqs(chat.delivered)).toEqual(range(1, 151));
    expect(chat.server.fetch).toHaveBeenCalledTimes(2);
  });

  it('pages back through history oldest first and does not deliver those messages again', async () => {
    const chat = setUp();
    chat.server.stored.push(...range(1, 70).map((seq) => message(seq)));
    const history = chat.client.history('c1', 50);

    const newestPage = await history.loadOlder();
    const olderPage = await history.loadOlder();
    await chat.connect();
    chat.socket().receive({ type: 'message.new', message: message(70) });
    chat.socket().receive({ type: 'message.new', message: message(71) });

    expect(seqs(newestPage)).toEqual(range(21, 70));
    expect(seqs(olderPage)).toEqual(range(1, 20));
    expect(history.hasMore).toBe(false);
    expect(seqs(chat.delivered)).toEqual([71]);
  });
});

describe('typing', () => {
  it('sends one typing signal per refresh period while typing and a stop after a pause', async () => {
    const chat = setUp({ typing: { refreshMs: 3000, idleMs: 4000 } });
    await chat.connect();

    for (let keystroke = 0; keystroke < 10; keystroke++) {
      chat.client.typing('c1');
      await vi.advanceTimersByTimeAsync(500);
    }
    await vi.advanceTimersByTimeAsync(4000);

    expect(
      chat
        .socket()
        .sentActions('typing')
        .map((frame) => frame.isTyping),
    ).toEqual([true, true, false]);
  });

  it("shows another user's typing and clears it by itself when the refreshes stop", async () => {
    const chat = setUp({ typing: { showForMs: 6000 } });
    await chat.connect();
    const changes: TypingEvent[] = [];
    chat.client.on('typing', (event) => changes.push(event));
    const expiresAt = new Date(Date.now() + 5000).toISOString();

    chat.socket().receive({ type: 'typing', conversationId: 'c1', userId: 'bob', isTyping: true, expiresAt });
    const whileTyping = chat.client.usersTyping('c1');
    await vi.advanceTimersByTimeAsync(6000);

    expect(whileTyping).toEqual(['bob']);
    expect(chat.client.usersTyping('c1')).toEqual([]);
    expect(changes.map((event) => event.isTyping)).toEqual([true, false]);
  });

  it("clears another user's typing when their message arrives", async () => {
    const chat = setUp();
    await chat.connect();
    const expiresAt = new Date(Date.now() + 5000).toISOString();

    chat.socket().receive({ type: 'typing', conversationId: 'c1', userId: 'bob', isTyping: true, expiresAt });
    chat.socket().receive({ type: 'message.new', message: message(1, 'bob') });

    expect(chat.client.usersTyping('c1')).toEqual([]);
  });
});

describe('unread and read marks', () => {
  it("counts others' messages as unread, not the user's own, and clears them on markRead", async () => {
    const chat = setUp();
    const lastMessage = message(5);
    chat.server.inbox.push({
      conversation: {
        conversationId: 'c1',
        type: 'direct',
        createdBy: 'bob',
        createdAt: lastMessage.createdAt,
        lastSeq: 5,
        lastActivityAt: lastMessage.createdAt,
        memberCount: 2,
      },
      lastMessage,
      unreadCount: 2,
    });
    const unreadEvents: UnreadEvent[] = [];
    chat.client.on('unread', (event) => unreadEvents.push(event));
    await chat.client.listConversations();
    await chat.connect();

    chat.socket().receive({ type: 'message.new', message: message(6) });
    const afterOthers = chat.client.unreadCount('c1');
    chat.socket().receive({ type: 'message.new', message: message(7, 'alice') });
    const afterOwn = chat.client.unreadCount('c1');
    chat.socket().receive({ type: 'message.new', message: message(8) });
    chat.client.markRead('c1');

    expect([afterOthers, afterOwn]).toEqual([3, 0]);
    expect(chat.socket().sentActions('markRead')).toEqual([
      { action: 'markRead', conversationId: 'c1', seq: 8 },
    ]);
    expect(unreadEvents.map((event) => event.total)).toEqual([2, 3, 0, 1, 0]);
    expect(chat.client.unreadTotal).toBe(0);
  });

  it('sends a read mark made while offline after reconnecting', async () => {
    const chat = setUp();
    await chat.connect();
    chat.socket().receive({ type: 'message.new', message: message(1) });
    chat.socket().drop();

    chat.client.markRead('c1');
    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().open();

    expect(chat.sockets[0]?.sentActions('markRead')).toEqual([]);
    expect(chat.socket().sentActions('markRead')).toEqual([
      { action: 'markRead', conversationId: 'c1', seq: 1 },
    ]);
  });
});
