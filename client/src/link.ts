import { Liveness, type LivenessOptions } from './liveness.ts';
import type { ClientFrame } from './protocol.ts';
import { tokenExpiresAt } from './token.ts';

/** The part of the platform WebSocket (browser, React Native, Node's `ws`) the client uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** What a link reports from its socket. */
export interface LinkEvents {
  open(): void;
  /** A frame, parsed; what is not JSON text is no protocol frame, and nothing in it can be acted on. */
  message(frame: unknown): void;
  /** Also after an error: an error is always followed by a close, which is where reconnection happens. */
  close(): void;
}

/** One socket of a connection and what belongs to it: its state, its liveness and its token's expiry. */
export class Link {
  closed = false;
  /** The server refused its token (`unauthorized`): it is about to close it. */
  refused = false;
  /**
   * The server is closing it for good: the user opened more connections than it keeps (this one was the oldest),
   * or a moderator suspended the user. Reconnecting would not help.
   */
  final = false;
  readonly liveness: Liveness;
  /** Its token's `exp` (ms since the epoch), when the token is a JWT that has one. */
  readonly expiresAt: number | undefined;
  private readonly socket: WebSocketLike;

  constructor(
    readonly id: number,
    to: { WebSocket: WebSocketConstructor; url: string; token: string },
    liveness: Omit<LivenessOptions, 'send'>,
    events: LinkEvents,
  ) {
    this.liveness = new Liveness({ ...liveness, send: (frame) => this.send(frame) });
    this.expiresAt = tokenExpiresAt(to.token);
    // Browsers cannot set headers on a WebSocket, so the token travels in the query string.
    const separator = to.url.includes('?') ? '&' : '?';
    this.socket = new to.WebSocket(`${to.url}${separator}token=${encodeURIComponent(to.token)}`);
    this.socket.addEventListener('open', events.open);
    this.socket.addEventListener('message', ({ data }) => {
      if (typeof data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(data);
      } catch {
        return;
      }
      events.message(frame);
    });
    this.socket.addEventListener('close', events.close);
    // Listening at all keeps Node's `ws` from raising an unhandled 'error' event.
    this.socket.addEventListener('error', () => {});
  }

  send(frame: ClientFrame): void {
    this.liveness.sent(frame);
    this.socket.send(JSON.stringify(frame));
  }

  /** Stops its heartbeats, fails a waiting check and closes the socket; closing twice does nothing more. */
  close(): void {
    this.liveness.stop();
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

/** An `error` answering a heartbeat (a rate limit, say): the socket is alive, though no `pong` comes. */
export function answersHeartbeat(frame: unknown): boolean {
  const { type, action } = (frame ?? {}) as Record<string, unknown>;
  return type === 'error' && action === 'heartbeat';
}

/**
 * The notice of a socket the server closes for good: the user has too many (`rate_limited`, naming no frame), or
 * is suspended (`suspended`; their next connections are refused at `$connect`).
 */
export function endsConnection(frame: unknown): boolean {
  const { type, code, action, clientMessageId } = (frame ?? {}) as Record<string, unknown>;
  if (type !== 'error' || action !== undefined || clientMessageId !== undefined) return false;
  return code === 'rate_limited' || code === 'suspended';
}
