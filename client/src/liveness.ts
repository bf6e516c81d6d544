import type { ClientFrame } from './protocol.ts';

/** API Gateway closes a socket after 10 minutes without a client frame; the server's default interval is 9. */
export const defaultHeartbeatIntervalMs = 540_000;
/** How long `checkConnection()` waits for its `pong` before the socket counts as dead. */
export const defaultPongTimeoutMs = 10_000;

export interface LivenessOptions {
  /** Writes a frame to the socket. */
  send(frame: ClientFrame): void;
  /** The heartbeat period in use (the server's from its last `pong`, else the configured one). */
  intervalMs(): number;
  pongTimeoutMs: number;
  /** A check got no `pong` in time: the socket can be dead without a close event. */
  onSilent(): void;
}

/**
 * The heartbeats of one socket and its on-demand checks. Heartbeats only keep API Gateway's idle timer away and
 * ask for no answer; `check()` sends one with `reply: true`, and no `pong` within `pongTimeoutMs` is silence.
 */
export class Liveness {
  /** A `heartbeat` with `reply: true` waiting for its `pong`. */
  private pending:
    | { promise: Promise<boolean>; resolve(alive: boolean): void; timer: ReturnType<typeof setTimeout> }
    | undefined;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  /** Every heartbeat, asking for a reply or not, refreshes the connection's record on the server. */
  private lastHeartbeatAt = 0;

  constructor(private readonly options: LivenessOptions) {}

  /** Called for every frame written to the socket, so a heartbeat sent by anyone counts. */
  sent(frame: ClientFrame): void {
    if (frame.action === 'heartbeat') this.lastHeartbeatAt = Date.now();
  }

  /** Asks for a `pong`: true when it comes, false when none comes within `pongTimeoutMs` or on `stop()`. */
  check(): Promise<boolean> {
    if (this.pending) return this.pending.promise;
    let resolve: (alive: boolean) => void = () => {};
    const promise = new Promise<boolean>((done) => {
      resolve = done;
    });
    const timer = setTimeout(() => {
      this.pending = undefined;
      resolve(false);
      this.options.onSilent();
    }, this.options.pongTimeoutMs);
    this.pending = { promise, resolve, timer };
    this.options.send({ action: 'heartbeat', reply: true });
    return promise;
  }

  /** A `pong` came: the waiting check, if any, succeeds. */
  answered(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.resolve(true);
    }
  }

  /**
   * (Re)starts the heartbeats: one goes an interval after the previous one (a check's included), even when
   * other frames went meanwhile: they reset API Gateway's idle timer, but only a heartbeat keeps the
   * connection's presence fresh.
   */
  beat(): void {
    clearTimeout(this.heartbeatTimer);
    const due = this.lastHeartbeatAt + this.options.intervalMs() - Date.now();
    this.heartbeatTimer = setTimeout(
      () => {
        // A check may have sent one meanwhile; then the next is due an interval after it.
        if (Date.now() - this.lastHeartbeatAt >= this.options.intervalMs())
          this.options.send({ action: 'heartbeat' });
        this.beat();
      },
      Math.max(0, due),
    );
  }

  /** No more heartbeats (the socket is no longer the one frames go to); a waiting check still gets its answer. */
  stopBeating(): void {
    clearTimeout(this.heartbeatTimer);
  }

  /** The socket is closing: no more heartbeats, and a waiting check fails. */
  stop(): void {
    this.stopBeating();
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.resolve(false);
      this.pending = undefined;
    }
  }
}

/** A server `pong`, the answer to a `heartbeat` with `reply: true`. */
export function isPong(frame: unknown): frame is { type: 'pong'; heartbeatIntervalSeconds?: unknown } {
  return typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'pong';
}

/** The heartbeat interval a `pong` names, in milliseconds; undefined when it names none that can be used. */
export function namedIntervalMs(pong: { heartbeatIntervalSeconds?: unknown }): number | undefined {
  const seconds = pong.heartbeatIntervalSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
