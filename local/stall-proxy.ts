/**
 * A fault hook: an HTTP proxy on loopback between the functions and DynamoDB Local that can be frozen. While
 * frozen it holds every request it receives (a database that stopped answering); thawing forwards them, so the
 * held calls then complete as late as a stalled DynamoDB would let them. Pass it as the runtime's
 * `dynamoDbProxy`; the runtime's own clients (table set-up, stream poller) stay direct.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';

/** A DynamoDB call as the proxy sees it: its operation (`PutItem`…) and its JSON body. */
interface HeldCall {
  operation: string;
  body: string;
}

export interface StallProxy {
  endpoint: string;
  /** Requests held from now on, until `thaw`: all, or those `matching` (one write of a function that died). */
  freeze(matching?: (call: HeldCall) => boolean): void;
  /** Forwards the held requests and stops holding. */
  thaw(): void;
  /** Requests held at this moment. */
  readonly held: number;
  stop(): Promise<void>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startStallProxy(target: string): Promise<StallProxy> {
  const targetUrl = new URL(target);
  let holds: ((call: HeldCall) => boolean) | undefined;
  let waiting: (() => void)[] = [];
  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (holds?.({ operation, body: body.toString('utf8') }))
        await new Promise<void>((resolve) => waiting.push(resolve));
      const upstream = request({
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host },
      });
      upstream.end(body);
      const [answer] = (await once(upstream, 'response')) as [IncomingMessage];
      const answerBody = await readAll(answer);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.end(answerBody);
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end((error as Error).message);
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const thaw = () => {
    holds = undefined;
    const released = waiting;
    waiting = [];
    for (const resolve of released) resolve();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    freeze: (matching = () => true) => {
      holds = matching;
    },
    thaw,
    get held() {
      return waiting.length;
    },
    async stop() {
      thaw();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
