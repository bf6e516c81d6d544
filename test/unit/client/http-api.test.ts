import { describe, expect, it } from 'vitest';
import { ChatApi, ChatApiError, createChatClient, type FetchLike } from '../../../client/src/index.ts';

/** A fetch that answers every request with one status and body; `json()` fails like the platform's on non-JSON. */
function answering(status: number, body: string): FetchLike {
  return async () => ({
    ok: status >= 200 && status < 300,
    status,
    json: async () => JSON.parse(body) as unknown,
  });
}

async function failure(
  status: number,
  body: string,
  call: (api: ChatApi) => Promise<unknown> = (api) => api.getUnread(),
) {
  const api = new ChatApi({
    httpUrl: 'http://chat.test',
    getToken: async () => 't',
    fetch: answering(status, body),
  });
  const error = await call(api).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ChatApiError);
  const { code, message } = error as ChatApiError;
  return { status: (error as ChatApiError).status, code, message };
}

describe('HTTP errors', () => {
  it("turns API Gateway's own 401 (JWT authorizer) into an `unauthorized` error", async () => {
    expect(await failure(401, '{"message":"Unauthorized"}')).toEqual({
      status: 401,
      code: 'unauthorized',
      message: 'Unauthorized',
    });
  });

  it("turns API Gateway's own 404 (unknown route) into a `not_found` error", async () => {
    const unknownRoute = (api: ChatApi) => api.getConversation('c1');
    expect(await failure(404, '{"message":"Not Found"}', unknownRoute)).toEqual({
      status: 404,
      code: 'not_found',
      message: 'Not Found',
    });
  });

  it("keeps the code and message of the backend's own envelope", async () => {
    const body = JSON.stringify({ error: { code: 'not_member', message: 'Not a member of c1' } });
    expect(await failure(403, body)).toEqual({
      status: 403,
      code: 'not_member',
      message: 'Not a member of c1',
    });
    const limited = JSON.stringify({ error: { code: 'rate_limited', message: 'Too many sends' } });
    expect(await failure(429, limited)).toEqual({
      status: 429,
      code: 'rate_limited',
      message: 'Too many sends',
    });
  });

  it('gives a non-JSON or unexpected error body a code from its status', async () => {
    const cases: [number, string, string][] = [
      [401, '', 'unauthorized'],
      [403, '{"message":"Forbidden"}', 'forbidden'],
      [404, '<html>Not Found</html>', 'not_found'],
      [413, '{"message":"Request Entity Too Large"}', 'payload_too_large'],
      [429, '{"message":"Too Many Requests"}', 'rate_limited'],
      [500, '{"message":"Internal Server Error"}', 'internal'],
      [502, '<html>Bad Gateway</html>', 'internal'],
      [503, '[1,2]', 'internal'],
      [504, '{"error":"timeout"}', 'internal'],
      [418, 'null', 'http_error'],
    ];
    for (const [status, body, code] of cases)
      expect(await failure(status, body), `${status} ${body}`).toMatchObject({ status, code });
  });

  it('keeps the gateway message, and says the status when there is none', async () => {
    expect((await failure(413, '{"message":"Request Entity Too Large"}')).message).toBe(
      'Request Entity Too Large',
    );
    expect((await failure(502, '<html>Bad Gateway</html>')).message).toBe('HTTP 502');
    expect((await failure(404, '{"error":{"code":"","message":""}}')).message).toBe('HTTP 404');
  });

  it("rejects the client's own calls with the typed error, e.g. the inbox with an expired token", async () => {
    const chat = createChatClient({
      httpUrl: 'http://chat.test',
      wsUrl: 'ws://chat.test',
      userId: 'alice',
      getToken: async () => 'expired',
      fetch: answering(401, '{"message":"Unauthorized"}'),
    });
    await expect(chat.listConversations()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    await expect(chat.getPresence(['bob'])).rejects.toBeInstanceOf(ChatApiError);
  });
});
