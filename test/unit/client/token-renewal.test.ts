/**
 * The client keeps its socket's token valid: before a JWT's `exp` it moves to a new socket with a fresh token
 * (the hand-over), does nothing for tokens without a readable `exp`, reconnects at once with a fresh token when
 * the server refuses a socket's token, and retries a refused HTTP request once. Fake WebSocket, fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatApi, ChatApiError, type FetchLike, type TokenRequest } from '../../../client/src/index.ts';
import { tokenExpiresAt } from '../../../client/src/token.ts';
import { FakeSocket, message, seqs, setUp } from './fake-chat.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z')); // a whole second, like exp
  // Jitter at its top: the hand-over comes at exp minus the full lead.
  vi.spyOn(Math, 'random').mockReturnValue(1);
  FakeSocket.heartbeatIntervalSeconds = undefined;
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An unsigned-looking JWT: the client never verifies, it only reads `exp`. */
const jwt = (claims: Record<string, unknown>) => `${base64url({ alg: 'RS256' })}.${base64url(claims)}.sig`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A provider issuing JWTs that expire `lifetimeSeconds` after they are issued, numbered by `jti`. */
function issuing(lifetimeSeconds: number) {
  return vi.fn(async (_request: TokenRequest) => {
    const n = issuing.count++;
    return jwt({ sub: 'alice', jti: n, exp: nowSeconds() + lifetimeSeconds });
  });
}
issuing.count = 1;

const tokenOf = (socket: FakeSocket) =>
  decodeURIComponent(new URL(socket.url).searchParams.get('token') ?? '');

describe('reading a token’s exp', () => {
  it('reads exp from a JWT payload, and nothing from opaque tokens or a JWT without a numeric exp', () => {
    expect(tokenExpiresAt(jwt({ exp: 1_700_000_000, name: 'Zoë ✓' }))).toBe(1_700_000_000_000);
    expect(tokenExpiresAt('opaque-token')).toBeUndefined();
    expect(tokenExpiresAt('a.b')).toBeUndefined();
    expect(tokenExpiresAt('a.!!!.c')).toBeUndefined();
    expect(tokenExpiresAt(jwt({ sub: 'alice' }))).toBeUndefined();
    expect(tokenExpiresAt(jwt({ exp: '1700000000' }))).toBeUndefined();
    expect(tokenExpiresAt(`x.${Buffer.from('[1]').toString('base64url')}.y`)).toBeUndefined();
  });
});

describe('renewing the token before its exp', () => {
  it('hands over to a socket with a fresh token a minute before a 10-minute token expires', async () => {
    const getToken = issuing(600);
    const chat = setUp({ getToken });
    await chat.connect();
    const first = chat.socket();

    await vi.advanceTimersByTimeAsync(539_000);
    const socketsBefore = chat.sockets.length;
    await vi.advanceTimersByTimeAsync(1_000);
    await chat.opens();

    expect(socketsBefore).toBe(1);
    expect(chat.sockets).toHaveLength(2);
    expect(getToken.mock.calls.map(([request]) => request)).toEqual([
      { forceRefresh: false },
      { forceRefresh: true },
    ]);
    const expiry = (socket: FakeSocket | undefined) => tokenExpiresAt(socket ? tokenOf(socket) : '') ?? 0;
    expect(expiry(chat.socket()) - expiry(first)).toBe(540_000); // issued 540 s later
    expect(first.closed).toBe(true); // retired once the new socket answered its check
    expect(chat.statuses).toEqual(['connecting', 'open']);
  });

  it('renews short tokens with a lead of a quarter of their time, never under 2 s, without a gap', async () => {
    const getToken = issuing(8);
    const chat = setUp({ getToken, gapWaitMs: 500 });
    await chat.connect();

    // 8 s tokens: a quarter is 2 s, so each socket moves on 6 s after it opened.
    let seq = 0;
    for (let renewal = 0; renewal < 4; renewal++) {
      await vi.advanceTimersByTimeAsync(5_999);
      chat.socket().receive({ type: 'message.new', message: message(++seq) });
      expect(chat.sockets).toHaveLength(renewal + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(chat.sockets).toHaveLength(renewal + 2);
      // During the overlap both sockets receive the fan-out.
      const [old, next] = chat.sockets.slice(-2);
      old?.receive({ type: 'message.new', message: message(++seq) });
      await chat.opens();
      next?.receive({ type: 'message.new', message: message(seq) });
      expect(old?.closed).toBe(true);
    }

    expect(seqs(chat.delivered)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    expect(chat.statuses).toEqual(['connecting', 'open']);
    expect(chat.server.fetch).not.toHaveBeenCalled();
  });

  it('never hands over for an opaque token or a JWT without exp, only at the gateway’s age limit', async () => {
    for (const token of ['opaque-token', jwt({ sub: 'alice' })]) {
      const chat = setUp({ getToken: async () => token });
      await chat.connect();
      await vi.advanceTimersByTimeAsync(6_000_000); // 100 minutes: the age hand-over is at 115
      expect(chat.sockets).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(900_000);
      expect(chat.sockets).toHaveLength(2);
      chat.client.disconnect();
    }
  });

  it('does not hand over again and again when the provider gives back the same token', async () => {
    const token = jwt({ sub: 'alice', exp: nowSeconds() + 600 });
    const getToken = vi.fn(async (_request: TokenRequest) => token);
    const chat = setUp({ getToken });
    await chat.connect();
    await vi.advanceTimersByTimeAsync(540_000);
    await chat.opens();
    await vi.advanceTimersByTimeAsync(50_000);

    expect(getToken).toHaveBeenCalledTimes(2);
    expect(chat.sockets).toHaveLength(2);
  });
});

describe('a refused token', () => {
  it('reconnects at once with a fresh token when the server refuses the socket’s token, then backs off', async () => {
    const getToken = issuing(600);
    const chat = setUp({ getToken });
    const errors: unknown[] = [];
    chat.client.on('error', (error) => errors.push(error));
    await chat.connect();

    const refuse = () => {
      chat.socket().receive({ type: 'error', code: 'unauthorized', message: 'Token expired' });
      chat.socket().drop();
    };
    refuse();
    await vi.advanceTimersByTimeAsync(0); // no backoff wait
    expect(chat.sockets).toHaveLength(2);
    expect(getToken.mock.calls.at(-1)?.[0]).toEqual({ forceRefresh: true });

    // The fresh token refused too, before its socket was ever confirmed: now the backoff applies.
    chat.socket().silent = true;
    chat.socket().open();
    await vi.advanceTimersByTimeAsync(0);
    refuse();
    await vi.advanceTimersByTimeAsync(999);
    expect(chat.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(chat.sockets).toHaveLength(3);
    expect(getToken.mock.calls.at(-1)?.[0]).toEqual({ forceRefresh: true });
    await chat.opens();
    expect(chat.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open', 'reconnecting', 'open']);
    expect(errors).toEqual([]); // handled by the client, not the app's concern
  });
});

describe('HTTP and a refused token', () => {
  const answer = (status: number, body: unknown) => ({ ok: status < 400, status, json: async () => body });

  it('retries an `unauthorized` answer once with a fresh token', async () => {
    let issued = 0;
    const getToken = vi.fn(async (_request: TokenRequest) => `token-${++issued}`);
    const fetch = vi.fn<FetchLike>(async (_url, init) =>
      init.headers.authorization === 'Bearer token-1'
        ? answer(401, { message: 'Unauthorized' })
        : answer(200, { conversations: [] }),
    );
    const api = new ChatApi({ httpUrl: 'http://chat.test', getToken, fetch });

    expect(await api.getUnread()).toEqual({ conversations: [] });
    expect(getToken.mock.calls.map(([request]) => request)).toEqual([
      { forceRefresh: false },
      { forceRefresh: true },
    ]);
    expect(fetch.mock.calls.map(([, init]) => init.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('gives up after the second refusal, and does not retry other errors', async () => {
    const getToken = vi.fn(async (_request: TokenRequest) => 't');
    const refusing = vi.fn<FetchLike>(async () => answer(401, { message: 'Unauthorized' }));
    const refused = await new ChatApi({ httpUrl: 'http://chat.test', getToken, fetch: refusing })
      .markRead('c1', 3)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ChatApiError);
    expect((refused as ChatApiError).code).toBe('unauthorized');
    expect(refusing).toHaveBeenCalledTimes(2);
    expect(refusing.mock.calls[1]?.[1].body).toBe('{"seq":3}');

    const forbidding = vi.fn<FetchLike>(async () =>
      answer(403, { error: { code: 'not_member', message: 'no' } }),
    );
    await new ChatApi({ httpUrl: 'http://chat.test', getToken, fetch: forbidding })
      .getUnread()
      .catch(() => {});
    expect(forbidding).toHaveBeenCalledTimes(1);
  });
});
