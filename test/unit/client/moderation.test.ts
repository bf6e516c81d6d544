/**
 * Reports, moderation and their errors in the SDK: the routes it calls, `suspended` and `content_rejected` as
 * typed errors over HTTP and the socket, a refused send left unretried, and a suspended user's client stopping
 * instead of reconnecting (told on the socket, or refused at `$connect` and told by HTTP).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ChatApiError,
  ContentRejectedError,
  type FetchLike,
  type ServerError,
  SuspendedError,
} from '../../../client/src/index.ts';
import { type Frame, setUp } from './fake-chat.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(1);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const suspendedAnswer = { error: { code: 'suspended', message: 'You are suspended' } };

/** A fetch that records each request and answers every one with `status` and `body` (null: no JSON body). */
function recordingFetch(status = 204, body: unknown = null) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const fetch = vi.fn<FetchLike>(async (url, init) => {
    const { pathname, search } = new URL(url);
    requests.push({
      method: init.method,
      path: `${pathname}${search}`,
      ...(init.body === undefined ? {} : { body: JSON.parse(init.body) }),
    });
    return {
      ok: status < 300,
      status,
      json: async () => (body === null ? Promise.reject(new SyntaxError('no body')) : body),
    };
  });
  return { fetch, requests };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('reports and moderator calls', () => {
  it('go to the protocol’s routes with its bodies', async () => {
    const { fetch, requests } = recordingFetch();
    const { client } = setUp({ fetch });

    await client.reportMessage('c 1', 'm1', { reason: 'spam', note: 'ads' });
    await client.moderation.listReports({ status: 'open', limit: 20, cursor: 'next/page' });
    await client.moderation.resolveReport('r1', 'dismissed');
    await client.moderation.removeMessage('c1', 'm1', 'threats');
    await client.moderation.removeMessage('c1', 'm2');
    await client.moderation.suspendUser('bob', { until: '2030-01-01T00:00:00.000Z', reason: 'spam' });
    await client.moderation.liftSuspension('bob');

    expect(requests).toEqual([
      {
        method: 'POST',
        path: '/conversations/c%201/messages/m1/reports',
        body: { reason: 'spam', note: 'ads' },
      },
      { method: 'GET', path: '/moderation/reports?status=open&limit=20&cursor=next%2Fpage' },
      { method: 'POST', path: '/moderation/reports/r1/resolve', body: { action: 'dismissed' } },
      { method: 'DELETE', path: '/moderation/messages/c1/m1', body: { reason: 'threats' } },
      { method: 'DELETE', path: '/moderation/messages/c1/m2' },
      {
        method: 'PUT',
        path: '/moderation/suspensions/bob',
        body: { until: '2030-01-01T00:00:00.000Z', reason: 'spam' },
      },
      { method: 'DELETE', path: '/moderation/suspensions/bob' },
    ]);
  });

  it('answers the reportId', async () => {
    const { fetch } = recordingFetch(201, { reportId: 'r1' });
    const { client } = setUp({ fetch });
    expect(await client.reportMessage('c1', 'm1', { reason: 'abuse' })).toEqual({ reportId: 'r1' });
  });
});

describe('typed errors over HTTP', () => {
  it('throws SuspendedError for 403 suspended and ContentRejectedError for 400 content_rejected', async () => {
    const suspendedCall = setUp({ fetch: recordingFetch(403, suspendedAnswer).fetch });
    const suspended = await rejection(suspendedCall.client.api.getUnread());
    expect(suspended).toBeInstanceOf(SuspendedError);
    expect(suspended).toBeInstanceOf(ChatApiError);
    expect(suspended).toMatchObject({ status: 403, code: 'suspended', message: 'You are suspended' });

    const refused = { error: { code: 'content_rejected', message: 'Refused by the content filter' } };
    const editCall = setUp({ fetch: recordingFetch(400, refused).fetch });
    const rejected = await rejection(editCall.client.api.editMessage('c1', 'm1', 'a listed word'));
    expect(rejected).toBeInstanceOf(ContentRejectedError);
    expect(rejected).toMatchObject({ status: 400, code: 'content_rejected' });

    const other = setUp({
      fetch: recordingFetch(403, { error: { code: 'forbidden', message: 'no' } }).fetch,
    });
    const forbidden = await rejection(other.client.moderation.listReports());
    expect(forbidden).toBeInstanceOf(ChatApiError);
    expect(forbidden).not.toBeInstanceOf(SuspendedError);
  });
});

describe('a send the content filter refuses', () => {
  it('fails with ContentRejectedError, is not sent again after a reconnect, and cannot be retried', async () => {
    const chat = setUp();
    await chat.connect();
    const sending = chat.client.send('c1', 'a listed word');
    chat.socket().receive({
      type: 'error',
      code: 'content_rejected',
      message: 'This message was refused by the content filter',
      clientMessageId: sending.clientMessageId,
    });

    const failed = chat.outgoing.at(-1);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toBeInstanceOf(ContentRejectedError);
    expect(failed?.error).toMatchObject({
      code: 'content_rejected',
      clientMessageId: sending.clientMessageId,
    });
    expect(chat.client.retry(sending.clientMessageId)).toBeUndefined();
    await chat.reconnect();
    await vi.advanceTimersByTimeAsync(60_000);

    const sends = chat.sockets.flatMap((socket) => socket.sentActions('sendMessage'));
    expect(sends).toHaveLength(1);
    expect(chat.outgoing.map((m) => m.status)).toEqual(['pending', 'failed']);
  });
});

describe('a suspension', () => {
  function collectErrors(chat: ReturnType<typeof setUp>) {
    const errors: ServerError[] = [];
    chat.client.on('error', (error) => errors.push(error));
    return errors;
  }

  it('told on the socket: the error is a SuspendedError and the client stops instead of reconnecting', async () => {
    const chat = setUp();
    const errors = collectErrors(chat);
    await chat.connect();

    chat.socket().receive({ type: 'error', code: 'suspended', message: 'You are suspended' } satisfies Frame);
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(chat.sockets).toHaveLength(1);
    expect(chat.client.status).toBe('offline');
    expect(chat.statuses).toEqual(['connecting', 'open', 'offline']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SuspendedError);
  });

  it('refused at $connect: one HTTP question, then the client stops with a SuspendedError', async () => {
    const { fetch, requests } = recordingFetch(403, suspendedAnswer);
    const chat = setUp({ fetch });
    const errors = collectErrors(chat);
    chat.client.connect();
    await vi.advanceTimersByTimeAsync(0);

    chat.socket().drop(); // the upgrade answered 403: a WebSocket only sees it close
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(chat.sockets).toHaveLength(1);
    expect(requests).toEqual([{ method: 'GET', path: '/unread' }]);
    expect(chat.client.status).toBe('offline');
    expect(errors.map((error) => error instanceof SuspendedError)).toEqual([true]);
  });

  it('is not assumed when HTTP answers otherwise: attempts go on with backoff, asking once per run of failures', async () => {
    const { fetch, requests } = recordingFetch(200, { total: 0, conversations: [] });
    const chat = setUp({ fetch });
    chat.client.connect();
    await vi.advanceTimersByTimeAsync(0);

    for (let attempt = 0; attempt < 3; attempt++) {
      chat.socket().drop();
      await vi.advanceTimersByTimeAsync(5000);
    }
    expect(chat.sockets).toHaveLength(4);
    expect(requests).toHaveLength(1);

    chat.socket().open();
    await vi.advanceTimersByTimeAsync(0);
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(1000);
    chat.socket().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.filter((request) => request.path === '/unread')).toHaveLength(2);
    expect(chat.client.status).toBe('reconnecting');
  });
});

describe('a message a moderator removed', () => {
  it('arrives as message.deleted with removedBy', async () => {
    const chat = setUp();
    const deleted: unknown[] = [];
    chat.client.on('message.deleted', (event) => deleted.push(event));
    await chat.connect();

    chat.socket().receive({ type: 'message.deleted', conversationId: 'c1', messageId: 'm1', seq: 3 });
    chat.socket().receive({
      type: 'message.deleted',
      conversationId: 'c1',
      messageId: 'm2',
      seq: 4,
      removedBy: 'moderator',
    });

    expect(deleted).toEqual([
      { conversationId: 'c1', messageId: 'm1', seq: 3 },
      { conversationId: 'c1', messageId: 'm2', seq: 4, removedBy: 'moderator' },
    ]);
  });
});
