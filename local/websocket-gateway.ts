/**
 * The local WebSocket API, behaving like API Gateway's: `$connect` runs the real authorizer and handler before
 * the handshake completes, frames are routed on their `action` field (else `$default`), `$disconnect` runs on
 * close for every connection `$connect` accepted (one whose handshake then failed too), idle and overlong
 * connections are closed, and `@connections` (connections-endpoint.ts) is served on the same port, under a secret path.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { WebSocket, WebSocketServer } from 'ws';
import { webSocketAuthorizer, webSocketRoutes } from '../shared/shape/routes.ts';
import { serveConnections } from './connections-endpoint.ts';
import type { LocalFunctions } from './lambda.ts';

export interface WebSocketGatewayOptions {
  functions: LocalFunctions;
  /** API Gateway closes a connection without frames for 10 minutes. */
  idleTimeoutMs: number;
  /** API Gateway closes any connection after 2 hours. */
  maxConnectionMs: number;
  /** The secret path `@connections` is served under (see connections-endpoint.ts). */
  connectionsPathPrefix: string;
}

interface LiveSocket {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  authorizer: Record<string, unknown>;
  sourceIp: string;
  timers: NodeJS.Timeout[];
}

/** API Gateway's largest message (frames of 32 KB each). */
const maxMessageBytes = 128 * 1024;
const routeByAction = new Map(webSocketRoutes.map((route) => [route.routeKey, route]));

const newConnectionId = () => `${randomBytes(10).toString('base64url')}=`;

export class WebSocketGateway {
  readonly connections = new Map<string, LiveSocket>();
  /** Frames pushed through `@connections`, for the benchmarks' counts. */
  postCount = 0;
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    handleProtocols: (_protocols, request) =>
      (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol ?? false,
  });

  constructor(private readonly options: WebSocketGatewayOptions) {}

  private requestContext(
    connectionId: string,
    routeKey: string,
    eventType: string,
    live?: Partial<LiveSocket>,
  ) {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      connectionId,
      messageId: randomUUID(),
      requestId: randomUUID(),
      extendedRequestId: randomUUID(),
      apiId: 'local-ws',
      domainName: '127.0.0.1',
      stage: 'local',
      connectedAt: live?.connectedAt ?? now,
      requestTimeEpoch: now,
      messageDirection: 'IN',
      identity: { sourceIp: live?.sourceIp ?? '127.0.0.1' },
      ...(live?.authorizer ? { authorizer: live.authorizer } : {}),
    };
  }

  /** The `upgrade` listener of the HTTP server this gateway runs on. */
  readonly handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"${text}"}`,
      );
    };
    // The client may reset the connection while `$connect` runs, before `ws` listens to the socket.
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      );
      const queryStringParameters = Object.fromEntries(url.searchParams);
      const connectionId = newConnectionId();
      let policy: APIGatewayAuthorizerResult;
      try {
        policy = await this.options.functions.invoke(webSocketAuthorizer.name, {
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:local:000000000000:local-ws/local/$connect',
          headers,
          queryStringParameters,
          requestContext: this.requestContext(connectionId, '$connect', 'CONNECT'),
        });
      } catch {
        return refuse(401, 'Unauthorized');
      }
      if (policy.policyDocument.Statement.some((s) => s.Effect !== 'Allow')) return refuse(403, 'Forbidden');
      const live: LiveSocket = {
        socket: undefined as unknown as WebSocket,
        connectedAt: Date.now(),
        lastActiveAt: Date.now(),
        authorizer: { ...policy.context, principalId: policy.principalId },
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        timers: [],
      };
      const connected = await this.invokeRoute('$connect', connectionId, live, {
        headers,
        queryStringParameters,
      });
      const status = (connected as { statusCode?: number } | undefined)?.statusCode ?? 200;
      if (status < 200 || status > 299) return refuse(status, 'Forbidden');
      const chosen = (connected as { headers?: Record<string, string> } | undefined)?.headers?.[
        'Sec-WebSocket-Protocol'
      ];
      (req as IncomingMessage & { chosenProtocol?: string }).chosenProtocol = chosen;
      // `$connect` accepted the connection, so `$disconnect` must run for it, as API Gateway does, even when
      // the client is gone before the handshake completes (`ws` then destroys the socket without a callback).
      let settled = false;
      const abandoned = () => {
        if (settled) return;
        settled = true;
        void this.invokeRoute('$disconnect', connectionId, live, {}).catch(() => undefined);
      };
      if (socket.destroyed) return abandoned();
      socket.once('close', abandoned);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (settled) return;
        settled = true;
        socket.off('close', abandoned);
        this.attach(connectionId, live, ws);
      });
    } catch {
      refuse(500, 'Internal Server Error');
    }
  };

  private attach(connectionId: string, live: LiveSocket, socket: WebSocket) {
    live.socket = socket;
    this.connections.set(connectionId, live);
    const idleCheck = setInterval(
      () => {
        if (Date.now() - live.lastActiveAt >= this.options.idleTimeoutMs) socket.close(1001, 'Going away');
      },
      Math.min(this.options.idleTimeoutMs, 1000),
    );
    const maxAge = setTimeout(() => socket.close(1001, 'Going away'), this.options.maxConnectionMs);
    live.timers.push(idleCheck, maxAge);
    // A frame `ws` refuses (over `maxPayload`, or text that is not UTF-8) is an `error` on the socket, which it then
    // closes (1009, 1007), as API Gateway does; unheard, that `error` would end the process.
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      live.lastActiveAt = Date.now();
      const body = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
      void this.route(connectionId, live, body);
    });
    socket.on('close', () => {
      for (const timer of live.timers) clearTimeout(timer);
      this.connections.delete(connectionId);
      void this.invokeRoute('$disconnect', connectionId, live, {}).catch(() => undefined);
    });
  }

  private async route(connectionId: string, live: LiveSocket, body: string) {
    let action: unknown;
    try {
      action = (JSON.parse(body) as { action?: unknown }).action;
    } catch {
      action = undefined;
    }
    // `$`-routes are the gateway's own events; a frame naming one is just an unknown action.
    const routeKey =
      typeof action === 'string' && !action.startsWith('$') && routeByAction.has(action)
        ? action
        : '$default';
    try {
      await this.invokeRoute(routeKey, connectionId, live, { body, isBase64Encoded: false });
    } catch {
      // What API Gateway sends when the integration fails.
      this.post(
        connectionId,
        JSON.stringify({ message: 'Internal server error', connectionId, requestId: randomUUID() }),
      );
    }
  }

  private invokeRoute(
    routeKey: string,
    connectionId: string,
    live: LiveSocket,
    extra: Record<string, unknown>,
  ) {
    const route = routeByAction.get(routeKey);
    if (!route) throw new Error(`No route ${routeKey}`);
    const eventType =
      routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
    return this.options.functions.invoke(route.name, {
      requestContext: this.requestContext(connectionId, routeKey, eventType, live),
      ...extra,
    });
  }

  private post(connectionId: string, data: string | Buffer): boolean {
    const live = this.connections.get(connectionId);
    if (!live || live.socket.readyState !== WebSocket.OPEN) return false;
    live.socket.send(data);
    return true;
  }

  /** Serves `<secret>/@connections/{id}` (see connections-endpoint.ts); answers false for other paths. */
  handleManagement(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    return serveConnections(req, res, this.options.connectionsPathPrefix, (connectionId) => {
      const live = this.connections.get(connectionId);
      if (!live) return undefined;
      return {
        connectedAt: live.connectedAt,
        lastActiveAt: live.lastActiveAt,
        sourceIp: live.sourceIp,
        post: (data) => {
          this.postCount++;
          return this.post(connectionId, data);
        },
        close: () => live.socket.close(1000, 'Closed by the server'),
      };
    });
  }

  /** Closes every socket (runs `$disconnect` for each). */
  async close(): Promise<void> {
    const closing = [...this.connections.values()].map(
      (live) =>
        new Promise<void>((resolve) => {
          live.socket.once('close', () => resolve());
          live.socket.terminate();
        }),
    );
    await Promise.all(closing);
    this.wss.close();
  }
}
