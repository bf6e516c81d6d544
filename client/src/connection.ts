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

export interface ConnectionOptions {
  url: string;
  getToken: TokenProvider;
  WebSocket: WebSocketConstructor;
  heartbeatIntervalMs: number;
  backoff: BackoffOptions;
  onStatus(status: ConnectionStatus): void;
  onFrame(frame: unknown): void;
}

/**
 * One logical connection that outlives its sockets: it reconnects with backoff whenever a socket closes
 * (network loss, API Gateway's idle or 2-hour limit, a silent dead socket) until `stop()` is called.
 */
export class Connection {
  status: ConnectionStatus = 'offline';
  private socket: WebSocketLike | undefined;
  /** Bumped by start and stop, so an attempt still awaiting its token knows it was cancelled. */
  private session = 0;
  private running = false;
  private hasBeenOpen = false;
  private failedAttempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private heardSinceHeartbeat = false;

  constructor(private readonly options: ConnectionOptions) {}

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
    this.dropSocket();
    this.setStatus('offline');
  }

  /** Sends when the socket is open; returns false otherwise, so callers can keep the frame for later. */
  send(frame: ClientFrame): boolean {
    if (this.status !== 'open' || !this.socket) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private async attempt(session: number): Promise<void> {
    this.setStatus(this.hasBeenOpen ? 'reconnecting' : 'connecting');
    let token: string;
    try {
      token = await this.options.getToken();
    } catch {
      if (session === this.session) this.scheduleRetry();
      return;
    }
    if (session !== this.session) return;

    const { url } = this.options;
    // Browsers cannot set headers on a WebSocket, so the token travels in the query string.
    const socket = new this.options.WebSocket(
      `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`,
    );
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (socket !== this.socket) return;
      this.hasBeenOpen = true;
      this.failedAttempts = 0;
      this.startHeartbeat();
      this.setStatus('open');
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.socket) return;
      this.heardSinceHeartbeat = true;
      if (typeof event.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // Not a protocol frame; nothing in it can be acted on.
      }
      this.options.onFrame(frame);
    });
    socket.addEventListener('close', () => {
      if (socket === this.socket) this.connectionLost();
    });
    // An error is always followed by a close, which is where reconnection happens; listening at all keeps
    // Node's `ws` from raising it as an unhandled 'error' event.
    socket.addEventListener('error', () => {});
  }

  private connectionLost(): void {
    this.dropSocket();
    if (this.running) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.setStatus(this.hasBeenOpen ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.failedAttempts, this.options.backoff);
    this.failedAttempts += 1;
    const session = this.session;
    this.retryTimer = setTimeout(() => void this.attempt(session), delay);
  }

  /**
   * A socket can die without a close event (a phone changing networks, a NAT dropping the flow). If nothing
   * at all arrived since the previous heartbeat, not even its pong, the socket is treated as dead.
   */
  private startHeartbeat(): void {
    this.heardSinceHeartbeat = true;
    this.heartbeatTimer = setInterval(() => {
      if (!this.heardSinceHeartbeat) {
        this.connectionLost();
        return;
      }
      this.heardSinceHeartbeat = false;
      this.send({ action: 'heartbeat' });
    }, this.options.heartbeatIntervalMs);
  }

  private dropSocket(): void {
    clearInterval(this.heartbeatTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus(status);
  }
}
