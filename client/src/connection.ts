import { type BackoffOptions, backoffDelay } from './backoff.ts';
import type { ClientFrame } from './protocol.ts';

/** What the app shows: first attempt, connected, lost and retrying, or not trying at all. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline';

/** The part of the platform WebSocket (browser, React Native, Node's `ws`) the client uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Supplies a fresh token; called before every connection attempt. */
export type TokenProvider = () => string | Promise<string>;

/** API Gateway closes a socket after 10 minutes without a client frame; the server's default interval is 9. */
export const defaultHeartbeatIntervalMs = 540_000;
/** How long `checkConnection()` waits for its `pong` before the socket counts as dead. */
export const defaultPongTimeoutMs = 10_000;
/** API Gateway closes every connection after 2 hours. */
export const defaultMaxConnectionAgeMs = 2 * 3600_000;

/**
 * How long before the maximum age the next connection is opened: 5 minutes for API Gateway's 2 hours, a quarter
 * of the age for short ages (tests), so there is always time to connect and confirm the new socket.
 */
export function handoverLeadMs(maxConnectionAgeMs: number): number {
  return Math.min(5 * 60_000, maxConnectionAgeMs / 4);
}

export interface ConnectionOptions {
  url: string;
  getToken: TokenProvider;
  WebSocket: WebSocketConstructor;
  /** Until the server names its interval in a `pong`. */
  heartbeatIntervalMs: number;
  pongTimeoutMs: number;
  maxConnectionAgeMs: number;
  backoff: BackoffOptions;
  onStatus(status: ConnectionStatus): void;
  onFrame(frame: unknown): void;
  /** A socket that frames were sent on is closed while the connection stays open (the hand-over): see `linkId`. */
  onLinkRetired(linkId: number): void;
}

/** One socket and what belongs to it. */
interface Link {
  id: number;
  socket: WebSocketLike;
  open: boolean;
  closed: boolean;
  /** A `heartbeat` with `reply: true` waiting for its `pong`. */
  check: { promise: Promise<boolean>; resolve(alive: boolean): void; timer: Timer } | undefined;
  heartbeatTimer: Timer | undefined;
  /** Every heartbeat, asking for a reply or not, refreshes the connection's record on the server. */
  lastHeartbeatAt: number;
  handoverTimer: Timer | undefined;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * One logical connection that outlives its sockets: it reconnects with backoff whenever a socket closes
 * (network loss, API Gateway's idle limit, a dead socket found by a check) until `stop()` is called, and before
 * API Gateway's 2-hour limit it opens the next socket and moves over to it without a gap (the hand-over).
 *
 * Heartbeats only keep API Gateway's idle timer away and ask for no answer. The socket is tested on demand:
 * `check()` sends a heartbeat with `reply: true`, and no `pong` within `pongTimeoutMs` closes and replaces it.
 */
export class Connection {
  status: ConnectionStatus = 'offline';
  /** The socket frames are sent on. */
  private primary: Link | undefined;
  /** During a hand-over: the previous socket, still receiving until the new one is confirmed. */
  private retiring: Link | undefined;
  /** The socket being opened (after a loss, or the next one of a hand-over). */
  private pending: Link | undefined;
  /** Waiting for a token, or for `pending` to open. */
  private attempting = false;
  /** Bumped by start and stop, so an attempt still awaiting its token knows it was cancelled. */
  private session = 0;
  private running = false;
  private hasBeenOpen = false;
  private failedAttempts = 0;
  private retryTimer: Timer | undefined;
  private nextLinkId = 1;
  private heartbeatIntervalMs: number;

  constructor(private readonly options: ConnectionOptions) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
  }

  /** The heartbeat period in use: the server's (from its last `pong`), else the configured one. */
  get heartbeatInterval(): number {
    return this.heartbeatIntervalMs;
  }

  /** The socket `send` writes to now, so a sender can tell when that socket is retired. */
  get linkId(): number | undefined {
    return this.primary?.id;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.session += 1;
    void this.attempt(this.session);
  }

  stop(): void {
    this.running = false;
    this.session += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempting = false;
    for (const link of [this.pending, this.retiring, this.primary]) if (link) this.closeLink(link);
    this.pending = this.retiring = this.primary = undefined;
    this.setStatus('offline');
  }

  /** Sends when a socket is open; returns false otherwise, so callers can keep the frame for later. */
  send(frame: ClientFrame): boolean {
    if (this.status !== 'open' || !this.primary) return false;
    this.transmit(this.primary, frame);
    return true;
  }

  /**
   * Asks the server for a `pong` on the current socket: true when it comes, false when the socket is not open
   * or no `pong` comes within `pongTimeoutMs` (the socket is then closed and replaced). While waiting between
   * reconnection attempts it tries again at once (the network may be back) and answers false.
   */
  check(): Promise<boolean> {
    if (this.primary) return this.probe(this.primary);
    if (this.running && this.retryTimer !== undefined && !this.attempting) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      void this.attempt(this.session);
    }
    return Promise.resolve(false);
  }

  private async attempt(session: number): Promise<void> {
    this.retryTimer = undefined;
    this.attempting = true;
    if (!this.primary) this.setStatus(this.hasBeenOpen ? 'reconnecting' : 'connecting');
    let token: string;
    try {
      token = await this.options.getToken();
    } catch {
      if (session === this.session) this.attemptFailed();
      return;
    }
    if (session !== this.session) return;

    const { url } = this.options;
    // Browsers cannot set headers on a WebSocket, so the token travels in the query string.
    const socket = new this.options.WebSocket(
      `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`,
    );
    const link: Link = {
      id: this.nextLinkId++,
      socket,
      open: false,
      closed: false,
      check: undefined,
      heartbeatTimer: undefined,
      lastHeartbeatAt: 0,
      handoverTimer: undefined,
    };
    this.pending = link;
    socket.addEventListener('open', () => {
      if (link === this.pending) this.opened(link);
    });
    socket.addEventListener('message', (event) => {
      if ((link === this.primary || link === this.retiring) && !link.closed) this.received(link, event.data);
    });
    socket.addEventListener('close', () => this.closed(link));
    // An error is always followed by a close, which is where reconnection happens; listening at all keeps
    // Node's `ws` from raising it as an unhandled 'error' event.
    socket.addEventListener('error', () => {});
  }

  private opened(link: Link): void {
    this.pending = undefined;
    this.attempting = false;
    link.open = true;
    this.hasBeenOpen = true;
    this.failedAttempts = 0;
    const previous = this.primary;
    this.primary = link;
    // Confirms the new socket (no pong in time: it is replaced) and learns the server's heartbeat interval.
    void this.probe(link);
    this.scheduleHeartbeat(link);
    const jitter = 0.5 + Math.random() / 2; // clients connected together do not all hand over together
    link.handoverTimer = setTimeout(
      () => this.handOver(link),
      this.options.maxConnectionAgeMs - handoverLeadMs(this.options.maxConnectionAgeMs) * jitter,
    );
    if (previous) {
      // A hand-over: new frames go to the new socket; the old one keeps receiving until the new one is confirmed.
      clearTimeout(previous.heartbeatTimer);
      clearTimeout(previous.handoverTimer);
      if (this.retiring) this.retire(this.retiring);
      this.retiring = previous;
    } else {
      this.setStatus('open');
    }
  }

  private received(link: Link, data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return; // Not a protocol frame; nothing in it can be acted on.
    }
    if (isPong(frame)) {
      this.ponged(link, frame.heartbeatIntervalSeconds);
      return;
    }
    this.options.onFrame(frame);
  }

  private ponged(link: Link, intervalSeconds: unknown): void {
    if (typeof intervalSeconds === 'number' && Number.isFinite(intervalSeconds) && intervalSeconds > 0) {
      const intervalMs = intervalSeconds * 1000;
      if (intervalMs !== this.heartbeatIntervalMs) {
        this.heartbeatIntervalMs = intervalMs;
        if (link === this.primary) this.scheduleHeartbeat(link);
      }
    }
    const check = link.check;
    link.check = undefined;
    if (check) {
      clearTimeout(check.timer);
      check.resolve(true);
    }
    // The new socket of a hand-over answers: the old one can go.
    if (link === this.primary && this.retiring) this.retire(this.retiring);
  }

  private closed(link: Link): void {
    const wasClosed = link.closed;
    this.closeLink(link);
    if (wasClosed) return;
    if (link === this.pending) {
      this.pending = undefined;
      this.attemptFailed();
    } else if (link === this.retiring) {
      this.retire(link);
    } else if (link === this.primary) {
      this.connectionLost();
    }
  }

  /** The current socket is gone: everything else goes too, and reconnection starts from scratch. */
  private connectionLost(): void {
    for (const link of [this.primary, this.retiring, this.pending]) if (link) this.closeLink(link);
    this.primary = this.retiring = this.pending = undefined;
    this.attempting = false;
    this.session += 1;
    if (this.running) this.scheduleRetry();
  }

  private attemptFailed(): void {
    this.attempting = false;
    if (!this.running) return;
    if (this.primary) {
      // A hand-over that did not get through: try again while the current socket lasts.
      const primary = this.primary;
      primary.handoverTimer = setTimeout(
        () => this.handOver(primary),
        handoverLeadMs(this.options.maxConnectionAgeMs) / 4,
      );
    } else {
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    this.setStatus(this.hasBeenOpen ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.failedAttempts, this.options.backoff);
    this.failedAttempts += 1;
    const session = this.session;
    this.retryTimer = setTimeout(() => void this.attempt(session), delay);
  }

  /** Before the gateway's age limit: the next socket opens while this one still works. */
  private handOver(link: Link): void {
    if (link !== this.primary || this.attempting || !this.running) return;
    void this.attempt(this.session);
  }

  private retire(link: Link): void {
    if (this.retiring === link) this.retiring = undefined;
    this.closeLink(link);
    this.options.onLinkRetired(link.id);
  }

  private probe(link: Link): Promise<boolean> {
    if (link.check) return link.check.promise;
    let resolve: (alive: boolean) => void = () => {};
    const promise = new Promise<boolean>((done) => {
      resolve = done;
    });
    const timer = setTimeout(() => {
      link.check = undefined;
      resolve(false);
      this.dead(link);
    }, this.options.pongTimeoutMs);
    link.check = { promise, resolve, timer };
    this.transmit(link, { action: 'heartbeat', reply: true });
    return promise;
  }

  /** No pong came: a socket can die without a close event (a phone changing networks, a NAT dropping the flow). */
  private dead(link: Link): void {
    if (link === this.primary) this.connectionLost();
    else if (link === this.retiring) this.retire(link);
  }

  /**
   * A heartbeat goes one interval after the previous one (a check's included), even when other frames went
   * meanwhile: they reset API Gateway's idle timer, but only a heartbeat keeps the connection's presence fresh.
   */
  private scheduleHeartbeat(link: Link): void {
    clearTimeout(link.heartbeatTimer);
    const due = link.lastHeartbeatAt + this.heartbeatIntervalMs - Date.now();
    link.heartbeatTimer = setTimeout(
      () => {
        if (link !== this.primary) return;
        // A check may have sent one meanwhile; then the next is due an interval after it.
        if (Date.now() - link.lastHeartbeatAt >= this.heartbeatIntervalMs)
          this.transmit(link, { action: 'heartbeat' });
        this.scheduleHeartbeat(link);
      },
      Math.max(0, due),
    );
  }

  private transmit(link: Link, frame: ClientFrame): void {
    if (frame.action === 'heartbeat') link.lastHeartbeatAt = Date.now();
    link.socket.send(JSON.stringify(frame));
  }

  private closeLink(link: Link): void {
    clearTimeout(link.heartbeatTimer);
    clearTimeout(link.handoverTimer);
    if (link.check) {
      clearTimeout(link.check.timer);
      link.check.resolve(false);
      link.check = undefined;
    }
    if (link.closed) return;
    link.closed = true;
    link.socket.close();
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus(status);
  }
}

function isPong(frame: unknown): frame is { type: 'pong'; heartbeatIntervalSeconds?: unknown } {
  return typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'pong';
}
