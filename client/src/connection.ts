import { type BackoffOptions, backoffDelay } from './backoff.ts';
import { Handover, type HandoverReason } from './handover.ts';
import { answersHeartbeat, endsConnection, Link, type WebSocketConstructor } from './link.ts';
import { isPong, namedIntervalMs } from './liveness.ts';
import type { ClientFrame } from './protocol.ts';
import { isTokenRefusal, type TokenProvider } from './token.ts';

/** What the app shows: first attempt, connected, lost and retrying, or not trying at all. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline';

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
  /** Whether a send made on the socket still waits for its answer: a hand-over keeps the socket until it comes. */
  awaitsAnswer(linkId: number): boolean;
  /** A socket that frames were sent on is closed while the connection stays open (the hand-over): see `linkId`. */
  onLinkRetired(linkId: number): void;
  /** A socket closed before it opened: offline, or refused at `$connect` (a socket is not told which). */
  onRefused(): void;
}

/**
 * One logical connection that outlives its sockets: it reconnects with backoff whenever a socket closes (network
 * loss, API Gateway's idle limit, a dead check; not when the server ends it for good) until `stop()`, and
 * before API Gateway's 2-hour limit or its token's `exp` it moves to a fresh socket without a gap (the hand-over).
 * Each socket's heartbeats and checks are its `Liveness`; a check without `pong` closes and replaces it.
 */
export class Connection {
  status: ConnectionStatus = 'offline';
  /** The socket frames are sent on. */
  private primary: Link | undefined;
  /** The socket being opened (after a loss, or the next one of a hand-over). */
  private pending: Link | undefined;
  private readonly handover: Handover;
  /** Waiting for a token, or for `pending` to open. */
  private attempting = false;
  /** Bumped by start and stop, so an attempt still awaiting its token knows it was cancelled. */
  private session = 0;
  private running = false;
  private hasBeenOpen = false;
  private failedAttempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private nextLinkId = 1;
  private heartbeatIntervalMs: number;
  /** The server refused a socket's token: attempts ask for a fresh one until a socket is confirmed. */
  private tokenRefused = false;

  constructor(private readonly options: ConnectionOptions) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.handover = new Handover({
      maxConnectionAgeMs: options.maxConnectionAgeMs,
      openNext: (current, reason) => this.handOver(current, reason),
      awaitsAnswer: options.awaitsAnswer,
      onRetired: options.onLinkRetired,
    });
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
    this.closeAll();
    this.setStatus('offline');
  }

  /** A send made on the socket `linkId` was answered (see `awaitsAnswer`). */
  answered(linkId: number): void {
    this.handover.answered(linkId);
  }

  /** Sends when a socket is open; returns false otherwise, so callers can keep the frame for later. */
  send(frame: ClientFrame): boolean {
    if (this.status !== 'open' || !this.primary) return false;
    this.primary.send(frame);
    return true;
  }

  /**
   * Asks the server for a `pong` on the current socket: true when it comes, false when the socket is not open
   * or no `pong` comes within `pongTimeoutMs` (the socket is then closed and replaced). While waiting between
   * reconnection attempts it tries again at once (the network may be back) and answers false. A hand-over waiting
   * for answers on the old socket stops waiting: the new socket answered, the old one may not.
   */
  check(): Promise<boolean> {
    this.handover.stopAwaitingAnswers();
    if (this.primary) return this.primary.liveness.check();
    if (this.running && this.retryTimer !== undefined && !this.attempting) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      void this.attempt(this.session);
    }
    return Promise.resolve(false);
  }

  private async attempt(session: number, forceRefresh = false): Promise<void> {
    this.retryTimer = undefined;
    this.attempting = true;
    if (!this.primary) this.setStatus(this.hasBeenOpen ? 'reconnecting' : 'connecting');
    let token: string;
    try {
      token = await this.options.getToken({ forceRefresh: forceRefresh || this.tokenRefused });
    } catch {
      if (session === this.session) this.attemptFailed();
      return;
    }
    if (session !== this.session) return;

    const { url, WebSocket, pongTimeoutMs } = this.options;
    const link: Link = new Link(
      this.nextLinkId++,
      { WebSocket, url, token },
      { intervalMs: () => this.heartbeatIntervalMs, pongTimeoutMs, onSilent: () => this.dead(link) },
      {
        open: () => link === this.pending && this.opened(link),
        message: (frame) => this.isListening(link) && this.received(link, frame),
        close: () => this.closed(link),
      },
    );
    this.pending = link;
  }

  /** Frames count from the current socket and, during a hand-over, the retiring one until it is closed. */
  private isListening(link: Link): boolean {
    return (link === this.primary || link === this.handover.retiring) && !link.closed;
  }

  private opened(link: Link): void {
    this.pending = undefined;
    this.attempting = false;
    this.hasBeenOpen = true;
    this.failedAttempts = 0;
    const previous = this.primary;
    this.primary = link;
    // Confirms the new socket (no pong in time: it is replaced) and learns the server's heartbeat interval.
    void link.liveness.check();
    link.liveness.beat();
    // A hand-over: new frames go to the new socket; the old one keeps receiving until the new one is confirmed.
    this.handover.opened(link, previous);
    if (!previous) this.setStatus('open');
  }

  private received(link: Link, frame: unknown): void {
    if (isPong(frame)) this.ponged(link, namedIntervalMs(frame));
    else if (answersHeartbeat(frame)) link.liveness.answered();
    // Its token expired: the server closes the socket next (see `connectionLost`).
    else if (isTokenRefusal(frame)) link.refused = true;
    else {
      // Reconnecting would close the user's next oldest socket, or be refused: the app decides (`error` says why).
      link.final ||= endsConnection(frame);
      this.options.onFrame(frame);
    }
  }

  private ponged(link: Link, intervalMs: number | undefined): void {
    if (intervalMs !== undefined && intervalMs !== this.heartbeatIntervalMs) {
      this.heartbeatIntervalMs = intervalMs;
      if (link === this.primary) link.liveness.beat();
    }
    link.liveness.answered();
    // The new socket of a hand-over answers: the old one can go.
    if (link !== this.primary) return;
    this.handover.confirmed();
    this.tokenRefused = false;
  }

  private closed(link: Link): void {
    const wasClosed = link.closed;
    link.close();
    if (wasClosed) return;
    if (link === this.pending) {
      this.pending = undefined;
      if (!this.primary) this.options.onRefused();
      this.attemptFailed();
    } else if (link === this.handover.retiring) {
      this.handover.retire(link);
    } else if (link === this.primary) {
      this.connectionLost(link);
    }
  }

  /**
   * The current socket is gone: everything else goes too, and reconnection starts from scratch; at once with a
   * fresh token when the server refused the socket's token (once: a refused fresh token waits for the backoff).
   */
  private connectionLost(link: Link): void {
    this.closeAll();
    this.attempting = false;
    this.session += 1;
    if (link.final) this.stop();
    if (!this.running) return;
    if (link.refused && !this.tokenRefused) {
      this.tokenRefused = true;
      void this.attempt(this.session);
    } else this.scheduleRetry();
  }

  private closeAll(): void {
    for (const link of [this.pending, this.handover.retiring, this.primary]) link?.close();
    this.handover.reset();
    this.pending = this.primary = undefined;
  }

  private attemptFailed(): void {
    this.attempting = false;
    if (!this.running) return;
    // A hand-over that did not get through: try again while the current socket lasts.
    if (this.primary) this.handover.retryLater(this.primary);
    else this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.setStatus(this.hasBeenOpen ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.failedAttempts, this.options.backoff);
    this.failedAttempts += 1;
    const session = this.session;
    this.retryTimer = setTimeout(() => void this.attempt(session), delay);
  }

  /** Before the gateway's age limit or the token's `exp`: the next socket opens while this one still works. */
  private handOver(link: Link, reason: HandoverReason): void {
    if (link !== this.primary || this.attempting || !this.running) return;
    void this.attempt(this.session, reason === 'token');
  }

  /** No pong came: a socket can die without a close event (a phone changing networks, a NAT dropping the flow). */
  private dead(link: Link): void {
    if (link === this.primary) this.connectionLost(link);
    else if (link === this.handover.retiring) this.handover.retire(link);
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus(status);
  }
}
