import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ManagedConnection, serveConnections } from '../../../local/connections-endpoint.ts';

/** A request of `method` to `url` with `body`, and a response that records what was answered. */
function exchange(method: string, url: string, body = '') {
  const req = Object.assign(Readable.from(body === '' ? [] : [Buffer.from(body)]), { method, url });
  const answer: { status?: number; headers?: Record<string, string>; body?: string } = {};
  const res = {
    writeHead(status: number, headers?: Record<string, string>) {
      Object.assign(answer, { status, headers });
      return res;
    },
    end(text?: string) {
      answer.body = text;
      return res;
    },
  };
  return { req: req as unknown as IncomingMessage, res: res as unknown as ServerResponse, answer };
}

function connection(open = true) {
  const posted: string[] = [];
  const closed: boolean[] = [];
  const live: ManagedConnection = {
    connectedAt: Date.UTC(2025, 0, 1),
    lastActiveAt: Date.UTC(2025, 0, 1, 0, 1),
    sourceIp: '10.0.0.1',
    post: (data) => open && posted.push(data) > 0,
    close: () => closed.push(true),
  };
  return { live, posted, closed };
}

const prefix = '/s3cret';

const serve = async (method: string, url: string, found: ManagedConnection | undefined, body?: string) => {
  const { req, res, answer } = exchange(method, url, body);
  const looked: string[] = [];
  const served = await serveConnections(req, res, prefix, (id) => {
    looked.push(id);
    return id === 'a b=' ? found : undefined;
  });
  return { served, answer, looked };
};

describe('serveConnections', () => {
  it('leaves other paths alone', async () => {
    expect((await serve('GET', '/health', undefined)).served).toBe(false);
  });

  it('refuses @connections without the secret prefix with 403, whatever the method, and touches no connection', async () => {
    const { live, posted, closed } = connection();
    for (const url of [
      '/@connections/a%20b%3D',
      '/s3cres/@connections/a%20b%3D',
      '/x/s3cret/@connections/a',
    ]) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const { served, answer, looked } = await serve(method, url, live, 'x');
        expect(served).toBe(true);
        expect(answer.status, `${method} ${url}`).toBe(403);
        expect(looked).toEqual([]);
      }
    }
    expect({ posted, closed }).toEqual({ posted: [], closed: [] });
  });

  it('posts the body to the connection the decoded id names', async () => {
    const { live, posted } = connection();
    const { served, answer } = await serve(
      'POST',
      `${prefix}/@connections/a%20b%3D`,
      live,
      '{"type":"pong"}',
    );
    expect(served).toBe(true);
    expect(answer.status).toBe(200);
    expect(posted).toEqual(['{"type":"pong"}']);
  });

  it('answers 410 GoneException for an unknown connection and one whose socket is no longer open', async () => {
    for (const found of [undefined, connection(false).live]) {
      const { answer } = await serve('POST', `${prefix}/@connections/a%20b%3D`, found, 'x');
      expect(answer).toEqual({
        status: 410,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' },
        body: '{"message":null}',
      });
    }
  });

  it('describes the connection on GET, closes it on DELETE, and refuses other methods', async () => {
    const { live, closed } = connection();
    expect(
      JSON.parse((await serve('GET', `${prefix}/@connections/a%20b%3D`, live)).answer.body ?? ''),
    ).toEqual({
      connectedAt: '2025-01-01T00:00:00.000Z',
      lastActiveAt: '2025-01-01T00:01:00.000Z',
      identity: { sourceIp: '10.0.0.1' },
    });
    expect((await serve('DELETE', `${prefix}/@connections/a%20b%3D`, live)).answer.status).toBe(204);
    expect(closed).toEqual([true]);
    expect((await serve('PUT', `${prefix}/@connections/a%20b%3D`, live)).answer.status).toBe(405);
  });
});
