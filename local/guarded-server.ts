/**
 * A server for one of the runtime's ports. The ports listen before the handlers exist (the issuer and the
 * functions need the ports' URLs): until the runtime is ready, every request is answered 503 and every upgrade
 * refused with 503, never left hanging. And it answers only to this machine's own names for the port: a page
 * elsewhere that rebinds its DNS name to 127.0.0.1 sends its own name in `Host`, and is refused with 421.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface GuardedServer {
  server: Server;
  /** The runtime is ready: from now on requests (and upgrades, on a server that takes them) reach these. */
  serve(handler: RequestHandler, upgrade?: UpgradeHandler): void;
}

const foreignHost = (req: IncomingMessage) => {
  const address = req.socket.address();
  const port = 'port' in address ? address.port : undefined;
  return req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`;
};

function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string) {
  req.resume();
  res.writeHead(status, {
    'content-type': 'application/json',
    connection: 'close',
    ...(status === 503 ? { 'retry-after': '1' } : {}),
  });
  res.end(JSON.stringify({ message }));
}

export function createGuardedServer(options: { upgrades: boolean }): GuardedServer {
  let handler: RequestHandler | undefined;
  let upgrade: UpgradeHandler | undefined;
  const server = createServer((req, res) => {
    if (foreignHost(req)) return refuse(req, res, 421, 'Misdirected Request');
    if (!handler) return refuse(req, res, 503, 'Service Unavailable');
    handler(req, res);
  });
  if (options.upgrades) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (upgrade && !foreignHost(req)) return upgrade(req, socket, head);
      socket.on('error', () => socket.destroy());
      const [status, text] = upgrade ? [421, 'Misdirected Request'] : [503, 'Service Unavailable'];
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{"message":"${text}"}`,
      );
    });
  }
  return {
    server,
    serve(ready, readyUpgrade) {
      handler = ready;
      upgrade = readyUpgrade;
    },
  };
}
