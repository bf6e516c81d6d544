import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultAckTimeoutMs,
  serverFunctionTimeoutMs,
  type TypingEvent,
  type UnreadEvent,
} from '../../../client/src/index.ts';
import { bodiesSent, message, range, seqs, setUp } from './fake-chat.ts';

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
      unreadMentions: 0,
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
