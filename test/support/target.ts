/**
 * Where the end-to-end tests send their traffic: the local runtime started by the global setup (default), or a
 * deployed stack when `CHAT_TARGET=deployed` (see `deployed-target.ts`). Tests never invent user ids: they ask
 * the target for new users, because on a deployed stack a user id is the `sub` its identity provider chose.
 */
import { inject } from 'vitest';
import WebSocket from 'ws';
import { moderatorGroup } from '../../shared/domain/moderators.ts';
import { deployedTarget } from './deployed-target.ts';

/** One user id per name, typed as a tuple of the same length. */
export type UserIds<Names extends string[]> = { [K in keyof Names]: string };

export interface Target {
  /** The local runtime (whose table tests may reach directly), not a deployed stack. */
  isLocal: boolean;
  httpUrl: string;
  wsUrl: string;
  /** How long a stream-driven event may take to arrive on this target. */
  eventTimeoutMs: number;
  /** New users that no other test knows, one per name, answered as their user ids. */
  newUsers<const Names extends string[]>(...names: Names): Promise<UserIds<Names>>;
  /** A new user in the identity provider's `moderators` group (a Cognito group on a deployed stack). */
  newModerator(name: string): Promise<string>;
  tokenFor(userId: string): Promise<string>;
}

let current: Target | undefined;

/** The run's target, one per test file. */
export function target(): Target {
  current ??= process.env.CHAT_TARGET === 'deployed' ? deployedTarget() : localTarget();
  return current;
}

/** The local issuer signs for any subject, so a readable name with a random suffix is a new user id. */
const randomUserIds = <const Names extends string[]>(...names: Names) =>
  names.map((name) => `${name}-${Math.random().toString(36).slice(2, 10)}`) as UserIds<Names>;

/** A local runtime a test file started for itself (its own settings or fault hooks), as a target. */
export function runtimeTarget(runtime: {
  httpUrl: string;
  wsUrl: string;
  issueToken(userId: string, groups?: readonly string[]): Promise<string>;
}): Target {
  const moderators = new Set<string>();
  return {
    isLocal: true,
    httpUrl: runtime.httpUrl,
    wsUrl: runtime.wsUrl,
    eventTimeoutMs: 5_000,
    newUsers: async (...names) => randomUserIds(...names),
    async newModerator(name) {
      const [userId] = randomUserIds(name);
      moderators.add(userId);
      return userId;
    },
    tokenFor: (userId) => runtime.issueToken(userId, moderators.has(userId) ? [moderatorGroup] : []),
  };
}

/** A token from a local runtime's issuer (`POST /_local/token`), with those Cognito groups. */
export async function localToken(
  httpUrl: string,
  userId: string,
  groups: readonly string[] = [],
): Promise<string> {
  const answer = await fetch(`${httpUrl}/_local/token`, {
    method: 'POST',
    body: JSON.stringify({ userId, groups }),
  });
  return ((await answer.json()) as { token: string }).token;
}

/** The run's shared runtime; each user's token is asked for once. */
function localTarget(): Target {
  const local = inject('local');
  const tokens = new Map<string, Promise<string>>();
  return runtimeTarget({
    httpUrl: local.httpUrl,
    wsUrl: local.wsUrl,
    issueToken(userId, groups) {
      const token = tokens.get(userId) ?? localToken(local.httpUrl, userId, groups);
      tokens.set(userId, token);
      return token;
    },
  });
}

/** A WebSocket client that records every event it receives and can wait for one. */
export class ChatSocket {
  readonly events: Record<string, unknown>[] = [];
  private waiters: {
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];

  private constructor(
    readonly socket: WebSocket,
    /** The target's allowance for an event to arrive. */
    private readonly eventTimeoutMs: number,
  ) {
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
    return new ChatSocket(socket, t.eventTimeoutMs);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a message per id, all at once, and answers each one's `message.ack` or `error`, in the ids' order. */
  sendEach(conversationId: string, clientMessageIds: readonly string[]): Promise<Record<string, unknown>[]> {
    for (const clientMessageId of clientMessageIds)
      this.send({ action: 'sendMessage', conversationId, clientMessageId, body: 'hi' });
    return Promise.all(
      clientMessageIds.map((id) =>
        this.waitFor((e) => e.clientMessageId === id && ['message.ack', 'error'].includes(e.type as string)),
      ),
    );
  }

  /** The first event (already received or still to come) that matches. */
  waitFor(
    match: (e: Record<string, unknown>) => boolean,
    timeoutMs = this.eventTimeoutMs,
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
