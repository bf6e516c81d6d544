import { Liveness, type LivenessOptions } from './liveness.ts';
import type { ClientFrame } from './protocol.ts';

/** The part of the platform WebSocket (browser, React Native, Node's `ws`) the client uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** One socket of a connection and what belongs to it: its state and its liveness. */
export class Link {
  closed = false;
  readonly liveness: Liveness;

  constructor(
    readonly id: number,
    private readonly socket: WebSocketLike,
    liveness: Omit<LivenessOptions, 'send'>,
  ) {
    this.liveness = new Liveness({ ...liveness, send: (frame) => this.send(frame) });
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
