/**
 * The local `@connections` management API, as API Gateway serves it: `POST /@connections/{id}` sends a frame,
 * `GET` describes the connection, `DELETE` closes it; an unknown or closed connection answers 410 `GoneException`.
 * It is what the handlers' real `ApiGatewayManagementApiClient` talks to. API Gateway signs these calls with IAM;
 * here only the runtime's own functions know the endpoint, whose path starts with a secret made for each run
 * (`/<secret>/@connections/{id}`): any other `@connections` path answers 403, as an unsigned call to AWS does.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the endpoint reads and does on one connection of the gateway. */
export interface ManagedConnection {
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  /** Sends a frame; false when the socket is no longer open. */
  post(data: string): boolean;
  close(): void;
}

/** A path prefix nobody can guess (`/` and 128 random bits), made once per run. */
export const newConnectionsPathPrefix = () => `/${randomBytes(16).toString('base64url')}`;

const samePrefix = (given: string, expected: string) =>
  given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

/** Serves `<pathPrefix>/@connections/{id}`; answers false for paths without `/@connections/`. */
export async function serveConnections(
  req: IncomingMessage,
  res: ServerResponse,
  pathPrefix: string,
  find: (connectionId: string) => ManagedConnection | undefined,
): Promise<boolean> {
  const match = /^([^?]*?)\/@connections\/([^/?]+)/.exec(req.url ?? '');
  if (match?.[1] === undefined || !match[2]) return false;
  if (!samePrefix(match[1], pathPrefix)) {
    req.resume();
    res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'ForbiddenException' });
    res.end(JSON.stringify({ message: 'Forbidden' }));
    return true;
  }
  const live = find(decodeURIComponent(match[2]));
  const gone = () => {
    res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
    res.end(JSON.stringify({ message: null }));
  };
  if (!live) {
    req.resume();
    gone();
    return true;
  }
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (live.post(Buffer.concat(chunks).toString('utf8'))) res.writeHead(200).end();
    else gone();
  } else if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        connectedAt: new Date(live.connectedAt).toISOString(),
        lastActiveAt: new Date(live.lastActiveAt).toISOString(),
        identity: { sourceIp: live.sourceIp },
      }),
    );
  } else if (req.method === 'DELETE') {
    live.close();
    res.writeHead(204).end();
  } else {
    res.writeHead(405).end();
  }
  return true;
}
