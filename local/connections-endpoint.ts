/**
 * The local `@connections` management API, as API Gateway serves it: `POST /@connections/{id}` sends a frame,
 * `GET` describes the connection, `DELETE` closes it; an unknown or closed connection answers 410 `GoneException`.
 * It is what the handlers' real `ApiGatewayManagementApiClient` talks to.
 */
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

/** Serves `/@connections/{id}`; answers false for other paths. */
export async function serveConnections(
  req: IncomingMessage,
  res: ServerResponse,
  find: (connectionId: string) => ManagedConnection | undefined,
): Promise<boolean> {
  const match = /^\/@connections\/([^/?]+)/.exec(req.url ?? '');
  if (!match?.[1]) return false;
  const live = find(decodeURIComponent(match[1]));
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
