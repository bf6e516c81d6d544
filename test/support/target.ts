/**
 * Where the end-to-end tests send their traffic: the local runtime started by the global setup (default), or a
 * deployed stack when `CHAT_TARGET=deployed` with `CHAT_HTTP_URL`, `CHAT_WS_URL` and a token source.
 */
import { inject } from 'vitest';
import WebSocket from 'ws';

export interface Target {
  /** The local runtime (whose table tests may reach directly), not a deployed stack. */
  isLocal: boolean;
  httpUrl: string;
  wsUrl: string;
  /** How long a stream-driven event may take to arrive on this target. */
  eventTimeoutMs: number;
  tokenFor(userId: string): Promise<string>;
}

let localTokens: Map<string, string> | undefined;

export function target(): Target {
  if (process.env.CHAT_TARGET === 'deployed') {
    const httpUrl = requireEnv('CHAT_HTTP_URL');
    return {
      isLocal: false,
      httpUrl,
      wsUrl: requireEnv('CHAT_WS_URL'),
      // LocalStack polls streams with back-off up to 10 s; AWS is typically well under a second.
      eventTimeoutMs: Number(process.env.CHAT_EVENT_TIMEOUT_MS ?? 15_000),
      tokenFor: deployedTokenSource(),
    };
  }
  const local = inject('local');
  localTokens ??= new Map();
  const cache = localTokens;
  return {
    isLocal: true,
    httpUrl: local.httpUrl,
    wsUrl: local.wsUrl,
    eventTimeoutMs: 5_000,
    async tokenFor(userId) {
      const cached = cache.get(userId);
      if (cached) return cached;
      const answer = await fetch(`${local.httpUrl}/_local/token`, {
        method: 'POST',
        body: JSON.stringify({ userId }),
      });
      const { token } = (await answer.json()) as { token: string };
      cache.set(userId, token);
      return token;
    },
  };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`CHAT_TARGET=deployed needs ${name}`);
  return value;
}

/** Tokens for a deployed target come from a script that prints one for a user id (e.g. Cognito sign-in). */
function deployedTokenSource(): (userId: string) => Promise<string> {
  return async (userId) => {
    const { execFileSync } = await import('node:child_process');
    const command = requireEnv('CHAT_TOKEN_COMMAND');
    return execFileSync('sh', ['-c', `${command} "$0"`, userId], { encoding: 'utf8' }).trim();
  };
}

/** A unique user id per test, so tests never see each other's conversations. */
export const uniqueUser = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

/** A WebSocket client that records every event it receives and can wait for one. */
export class ChatSocket {
  readonly events: Record<string, unknown>[] = [];
  private waiters: {
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as Record<string, unknown>;
      this.events.push(event);
      const matched = this.waiters.filter((w) => w.match(event));
      this.waiters = this.waiters.filter((w) => !matched.includes(w));
      for (const waiter of matched) waiter.resolve(event);
    });
  }

  static async open(t: Target, userId: string, options: { protocols?: string[] } = {}): Promise<ChatSocket> {
    const token = await t.tokenFor(userId);
    const url = options.protocols ? t.wsUrl : `${t.wsUrl}?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(
      url,
      options.protocols?.map((p) => (p === '$token' ? token : p)),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new ChatSocket(socket);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first event (already received or still to come) that matches. */
  waitFor(
    match: (e: Record<string, unknown>) => boolean,
    timeoutMs = 5_000,
  ): Promise<Record<string, unknown>> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`No matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  ofType(type: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.type === type);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}

/** Calls the HTTP API as a user; answers the status and the parsed JSON body. */
export async function api(t: Target, userId: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${t.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await t.tokenFor(userId)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await answer.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON the API answers
  return { status: answer.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Retries an assertion until it passes or the time is up (for effects that land a moment later). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The sockets a test file opens, closed together (after each test or after all). */
export function socketPool(t: Target) {
  const sockets: ChatSocket[] = [];
  return {
    async open(userId: string, options: { protocols?: string[] } = {}): Promise<ChatSocket> {
      const socket = await ChatSocket.open(t, userId, options);
      sockets.push(socket);
      return socket;
    },
    async closeAll(): Promise<void> {
      await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    },
  };
}
