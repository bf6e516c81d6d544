/**
 * Heartbeats, dead-socket checks and the hand-over before the gateway's maximum connection age, against a fake
 * WebSocket that answers `heartbeat` with `reply: true` like the server, and fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultHeartbeatIntervalMs, defaultPongTimeoutMs } from '../../../client/src/index.ts';
import { FakeSocket, message, seqs, setUp } from './fake-chat.ts';

beforeEach(() => {
  vi.useFakeTimers();
  // Jitter at its top: every backoff delay is the full step, and the hand-over comes at max age minus the lead.
  vi.spyOn(Math, 'random').mockReturnValue(1);
  FakeSocket.heartbeatIntervalSeconds = undefined;
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const ack = (socket: FakeSocket, seq: number) => {
  const frame = socket.sentActions('sendMessage').at(-1);
  const clientMessageId = String(frame?.clientMessageId);
  socket.receive({
    type: 'message.ack',
    clientMessageId,
    message: { ...message(seq, 'alice'), clientMessageId, body: String(frame?.body) },
  });
};

describe('heartbeats', () => {
  it('asks for a reply once when a socket opens, then beats every 9 minutes without asking', async () => {
    const chat = setUp();
    await chat.connect();
    const onOpen = chat.socket().heartbeats();

    await vi.advanceTimersByTimeAsync(defaultHeartbeatIntervalMs - 1);
    const beforeInterval = chat.socket().heartbeats();
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(2 * defaultHeartbeatIntervalMs);

    expect(defaultHeartbeatIntervalMs).toBe(540_000);
    expect(onOpen).toEqual([true]);
    expect(beforeInterval).toEqual([true]);
    expect(chat.socket().heartbeats()).toEqual([true, false, false, false]);
    expect(chat.socket().sentActions('heartbeat')[1]).toEqual({ action: 'heartbeat' });
    expect(chat.sockets).toHaveLength(1);
  });

  it("takes the interval from the server's pong over the configured one", async () => {
    FakeSocket.heartbeatIntervalSeconds = 60;
    const chat = setUp({ heartbeatIntervalMs: 20_000 });
    await chat.connect();

    await vi.advanceTimersByTimeAsync(59_000);
    const before = chat.socket().heartbeats();
    await vi.advanceTimersByTimeAsync(1_000 + 60_000);

    expect(before).toEqual([true]);
    expect(chat.socket().heartbeats()).toEqual([true, false, false]);
  });

  it('uses the configured interval until a pong names one', async () => {
    const chat = setUp({ heartbeatIntervalMs: 20_000 });
    await chat.connect();

    await vi.advanceTimersByTimeAsync(60_000);

    expect(chat.socket().heartbeats()).toEqual([true, false, false, false]);
  });

  it('beats on schedule even when other frames go out: only a heartbeat keeps presence fresh', async () => {
    const chat = setUp({ heartbeatIntervalMs: 60_000 });
    await chat.connect();
    chat.socket().receive({ type: 'message.new', message: message(1) });

    await vi.advanceTimersByTimeAsync(50_000);
    chat.client.markRead('c1');
    await vi.advanceTimersByTimeAsync(10_000);

    expect(chat.socket().heartbeats()).toEqual([true, false]);
  });

  it('counts a check as a heartbeat: the next routine one comes an interval after it', async () => {
    const chat = setUp({ heartbeatIntervalMs: 60_000 });
    await chat.connect();

    await vi.advanceTimersByTimeAsync(30_000);
    await chat.client.checkConnection();
    await vi.advanceTimersByTimeAsync(59_000);
    const before = chat.socket().heartbeats();
    await vi.advanceTimersByTimeAsync(1_000);

    expect(before).toEqual([true, true]);
    expect(chat.socket().heartbeats()).toEqual([true, true, false]);
  });

  it('keeps a socket that hears nothing for an hour: silence is no sign of a dead socket', async () => {
    const chat = setUp();
    await chat.connect();

    await vi.advanceTimersByTimeAsync(3600_000);

    expect(chat.sockets).toHaveLength(1);
    expect(chat.socket().closed).toBe(false);
    expect(chat.client.status).toBe('open');
  });
});

describe('checkConnection', () => {
  it('sends a heartbeat asking for a reply and answers true when the pong comes', async () => {
    const chat = setUp();
    await chat.connect();

    const alive = await chat.client.checkConnection();

    expect(alive).toBe(true);
    expect(chat.socket().heartbeats()).toEqual([true, true]);
    expect(chat.socket().sentActions('heartbeat')[1]).toEqual({ action: 'heartbeat', reply: true });
  });

  it('treats the socket as dead when no pong comes within the pong time-out, and reconnects', async () => {
    const chat = setUp();
    await chat.connect();
    const dead = chat.socket();
    dead.silent = true;
    let answer: boolean | undefined;

    void chat.client.checkConnection().then((alive) => {
      answer = alive;
    });
    await vi.advanceTimersByTimeAsync(defaultPongTimeoutMs - 1);
    const beforeTimeout = { answer, closed: dead.closed, status: chat.client.status };
    await vi.advanceTimersByTimeAsync(1);

    expect(defaultPongTimeoutMs).toBe(10_000);
    expect(beforeTimeout).toEqual({ answer: undefined, closed: false, status: 'open' });
    expect(answer).toBe(false);
    expect(dead.closed).toBe(true);
    expect(chat.client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().open();
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.sockets).toHaveLength(2);
    expect(chat.client.status).toBe('open');
    expect(chat.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('counts an error answering the heartbeat (a rate limit) as a live socket', async () => {
    const chat = setUp();
    await chat.connect();
    const socket = chat.socket();
    socket.silent = true;

    const check = chat.client.checkConnection();
    socket.receive({
      type: 'error',
      code: 'rate_limited',
      message: 'Too many heartbeats',
      action: 'heartbeat',
    });

    expect(await check).toBe(true);
    expect(socket.closed).toBe(false);
    expect(chat.client.status).toBe('open');
  });

  it('stops, without reconnecting, when the server closes the socket for newer ones of the same user', async () => {
    const chat = setUp();
    await chat.connect();

    chat.socket().receive({ type: 'error', code: 'rate_limited', message: 'Too many connections: …' });
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(chat.sockets).toHaveLength(1);
    expect(chat.client.status).toBe('offline');
    expect(chat.statuses).toEqual(['connecting', 'open', 'offline']);
  });

  it('replaces a socket that never confirms itself after opening', async () => {
    const chat = setUp({ pongTimeoutMs: 3000 });
    chat.client.connect();
    await vi.advanceTimersByTimeAsync(0);
    chat.socket().silent = true;
    chat.socket().open();

    await vi.advanceTimersByTimeAsync(3000);

    expect(chat.sockets[0]?.closed).toBe(true);
    expect(chat.client.status).toBe('reconnecting');
  });

  it('answers false at once and tries without waiting when the client is between reconnection attempts', async () => {
    const chat = setUp({ reconnect: { initialDelayMs: 30_000, maxDelayMs: 30_000 } });
    await chat.connect();
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(100);

    const alive = await chat.client.checkConnection();
    await vi.advanceTimersByTimeAsync(0);

    expect(alive).toBe(false);
    expect(chat.sockets).toHaveLength(2);
  });

  it('checks the connection when a send waits 5 s for its ack, and resends it on a new socket if dead', async () => {
    const chat = setUp();
    await chat.connect();
    const first = chat.socket();
    const sentAt = Date.now();
    const { clientMessageId } = chat.client.send('c1', 'anyone there?');
    first.silent = true;

    await vi.advanceTimersByTimeAsync(4_999);
    const beforeProbe = first.heartbeats();
    await vi.advanceTimersByTimeAsync(1);
    const afterProbe = first.heartbeats();
    await vi.advanceTimersByTimeAsync(defaultPongTimeoutMs);
    const deadAfterMs = Date.now() - sentAt;
    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().open();
    await vi.advanceTimersByTimeAsync(0);
    ack(chat.socket(), 1);

    expect(beforeProbe).toEqual([true]);
    expect(afterProbe).toEqual([true, true]);
    expect(first.closed).toBe(true);
    expect(deadAfterMs).toBe(15_000);
    expect(chat.socket().sentActions('sendMessage')).toEqual([
      expect.objectContaining({ clientMessageId, body: 'anyone there?' }),
    ]);
    expect(chat.outgoing.map((m) => m.status)).toEqual(['pending', 'sent']);
  });

  it('does not probe a send that is acknowledged in time', async () => {
    const chat = setUp();
    await chat.connect();

    chat.client.send('c1', 'hello');
    ack(chat.socket(), 1);
    await vi.advanceTimersByTimeAsync(60_000);

    expect(chat.socket().heartbeats()).toEqual([true]);
  });

  it('checks the connection in a browser when the network comes back and when the page becomes visible', async () => {
    const window = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
    vi.stubGlobal('removeEventListener', window.removeEventListener.bind(window));
    vi.stubGlobal('document', document);
    const chat = setUp();
    await chat.connect();

    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    document.dispatchEvent(new Event('visibilitychange')); // hidden: nothing to check
    await vi.advanceTimersByTimeAsync(0);
    document.visibilityState = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    const whileConnected = chat.socket().heartbeats();
    chat.client.disconnect();
    window.dispatchEvent(new Event('online'));
    document.dispatchEvent(new Event('visibilitychange'));

    expect(whileConnected).toEqual([true, true, true]);
    expect(chat.socket().heartbeats()).toEqual([true, true, true]);
  });
});

describe('the hand-over before the maximum connection age', () => {
  // 60 s of age: the lead is a quarter of it, so the next socket opens at 45 s.
  const maxConnectionAgeMs = 60_000;

  it('opens the next socket before the age limit, moves over once it is confirmed, and closes the first', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();
    const first = chat.socket();

    await vi.advanceTimersByTimeAsync(44_999);
    const socketsBefore = chat.sockets.length;
    await vi.advanceTimersByTimeAsync(1);
    const second = chat.socket();
    second.silent = true; // its pong is held back below
    second.open();
    await vi.advanceTimersByTimeAsync(0);
    const confirming = { firstClosed: first.closed, status: chat.client.status };
    chat.client.send('c1', 'after the move');
    second.silent = false;
    second.receive({ type: 'pong', at: new Date().toISOString() });

    expect(socketsBefore).toBe(1);
    expect(chat.sockets).toHaveLength(2);
    expect(second.url).toBe('ws://chat.test?token=token-2'); // a fresh token
    expect(confirming).toEqual({ firstClosed: false, status: 'open' });
    expect(second.heartbeats()).toEqual([true]);
    expect(second.sentActions('sendMessage').map((frame) => frame.body)).toEqual(['after the move']);
    expect(first.sentActions('sendMessage')).toEqual([]);
    expect(first.closed).toBe(true);
    expect(chat.statuses).toEqual(['connecting', 'open']);
  });

  it('hands over again and again, a connection never reaching the age limit', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();

    for (let n = 0; n < 3; n++) {
      await vi.advanceTimersByTimeAsync(45_000);
      chat.socket().open();
      await vi.advanceTimersByTimeAsync(0);
    }

    expect(chat.sockets).toHaveLength(4);
    expect(chat.sockets.map((socket) => socket.closed)).toEqual([true, true, true, false]);
    expect(chat.statuses).toEqual(['connecting', 'open']);
  });

  it('delivers each message once when both sockets receive it during the overlap, in seq order', async () => {
    const chat = setUp({ maxConnectionAgeMs, gapWaitMs: 500 });
    await chat.connect();
    const first = chat.socket();
    first.receive({ type: 'message.new', message: message(1) });
    await vi.advanceTimersByTimeAsync(45_000);
    const second = chat.socket();
    second.silent = true;
    second.open();
    await vi.advanceTimersByTimeAsync(0);

    // The fan-out reaches every connection of the user: both sockets, in any order.
    first.receive({ type: 'message.new', message: message(2) });
    second.receive({ type: 'message.new', message: message(3) });
    second.receive({ type: 'message.new', message: message(2) });
    first.receive({ type: 'message.new', message: message(3) });
    first.receive({ type: 'message.new', message: message(4) });
    second.receive({ type: 'message.new', message: message(4) });
    second.receive({ type: 'pong', at: new Date().toISOString() });
    first.receive({ type: 'message.new', message: message(5) }); // after its close: ignored
    second.receive({ type: 'message.new', message: message(5) });
    await vi.advanceTimersByTimeAsync(5_000);

    expect(seqs(chat.delivered)).toEqual([1, 2, 3, 4, 5]);
    expect(chat.server.fetch).not.toHaveBeenCalled();
  });

  /** A send goes on the first socket at 44 s; the next socket opens at 45 s (its pong confirms it at once). */
  async function moveWithSendInFlight(chat: ReturnType<typeof setUp>) {
    const first = chat.socket();
    await vi.advanceTimersByTimeAsync(44_000);
    const { clientMessageId } = chat.client.send('c1', 'in flight during the move');
    await vi.advanceTimersByTimeAsync(1_000);
    const second = chat.socket();
    second.open();
    return { first, second, clientMessageId };
  }

  it('keeps the old socket until a send made on it is answered there, and sends nothing twice', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();
    const { first, second, clientMessageId } = await moveWithSendInFlight(chat);
    await vi.advanceTimersByTimeAsync(1_000); // confirmed, and still no ack
    const whileWaiting = { firstClosed: first.closed, resent: second.sentActions('sendMessage').length };
    ack(first, 1);
    await vi.advanceTimersByTimeAsync(60_000);

    expect(whileWaiting).toEqual({ firstClosed: false, resent: 0 });
    expect(first.closed).toBe(true);
    expect(first.sentActions('sendMessage')).toEqual([expect.objectContaining({ clientMessageId })]);
    expect(second.sentActions('sendMessage')).toEqual([]);
    expect(chat.outgoing.map((m) => `${m.body}: ${m.status}`)).toEqual([
      'in flight during the move: pending',
      'in flight during the move: sent',
    ]);
    expect(seqs(chat.delivered)).toEqual([1]);
  });

  it('resends on the new socket a send whose ack did not come on the old one by the probe, 5 s after it went', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();
    const first = chat.socket();
    chat.client.send('c1', 'answered on the old socket');
    ack(first, 1);
    const { second, clientMessageId } = await moveWithSendInFlight(chat);
    await vi.advanceTimersByTimeAsync(3_999);
    const beforeBound = { firstClosed: first.closed, resent: second.sentActions('sendMessage').length };
    await vi.advanceTimersByTimeAsync(1);
    ack(second, 2);
    // A late ack of the same send on the old socket changes nothing.
    first.receive({
      type: 'message.ack',
      clientMessageId,
      message: { ...message(2, 'alice'), clientMessageId },
    });
    await vi.advanceTimersByTimeAsync(60_000);

    expect(beforeBound).toEqual({ firstClosed: false, resent: 0 });
    expect(first.closed).toBe(true);
    expect(first.sentActions('sendMessage').map((frame) => frame.clientMessageId)).toHaveLength(2);
    expect(second.sentActions('sendMessage')).toEqual([
      expect.objectContaining({ clientMessageId, body: 'in flight during the move' }),
    ]);
    expect(chat.outgoing.map((m) => `${m.body}: ${m.status}`)).toEqual([
      'answered on the old socket: pending',
      'answered on the old socket: sent',
      'in flight during the move: pending',
      'in flight during the move: sent',
    ]);
    expect(seqs(chat.delivered)).toEqual([1, 2]);
  });

  it('resends on the new socket at once a send whose old socket closed before its ack', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();
    const { first, second, clientMessageId } = await moveWithSendInFlight(chat);
    await vi.advanceTimersByTimeAsync(100);
    first.drop(); // the gateway's cut-off

    expect(chat.client.status).toBe('open');
    expect(second.sentActions('sendMessage')).toEqual([expect.objectContaining({ clientMessageId })]);
  });

  it('keeps the old socket when the next one fails to open, and tries again before the limit', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();
    const first = chat.socket();

    await vi.advanceTimersByTimeAsync(45_000);
    chat.socket().drop();
    const afterFailure = {
      sockets: chat.sockets.length,
      firstClosed: first.closed,
      status: chat.client.status,
    };
    await vi.advanceTimersByTimeAsync(3_750); // a quarter of the lead
    chat.socket().open();
    await vi.advanceTimersByTimeAsync(0);

    expect(afterFailure).toEqual({ sockets: 2, firstClosed: false, status: 'open' });
    expect(chat.sockets).toHaveLength(3);
    expect(first.closed).toBe(true);
    expect(chat.statuses).toEqual(['connecting', 'open']);
  });

  it('falls back to reconnecting when the old socket reaches the limit before a hand-over got through', async () => {
    const chat = setUp({ maxConnectionAgeMs });
    await chat.connect();
    await vi.advanceTimersByTimeAsync(45_000);

    chat.sockets[0]?.drop(); // the gateway's cut-off, the next socket still opening

    expect(chat.sockets[1]?.closed).toBe(true);
    expect(chat.client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().open();
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.sockets).toHaveLength(3);
    expect(chat.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('defaults to handing over 5 minutes before API Gateway’s 2 hours', async () => {
    const chat = setUp();
    await chat.connect();

    await vi.advanceTimersByTimeAsync(115 * 60_000 - 1);
    const before = chat.sockets.length;
    await vi.advanceTimersByTimeAsync(1);

    expect(before).toBe(1);
    expect(chat.sockets).toHaveLength(2);
  });
});
