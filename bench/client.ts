/**
 * A lean load client: WebSocket connections that time-stamp every frame on arrival, and a tracker that knows
 * which `message.new` each connection should get for each send, so latencies and lost deliveries are exact.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export type ServerFrame = Record<string, unknown>;
type FrameListener = (frame: ServerFrame, arrivedAt: number) => void;

export class BenchSocket {
  private readonly listeners = new Set<FrameListener>();

  private constructor(
    readonly label: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => {
      const arrivedAt = performance.now();
      const frame = JSON.parse(data.toString()) as ServerFrame;
      for (const listener of this.listeners) listener(frame, arrivedAt);
    });
  }

  static async open(url: string, label: string): Promise<BenchSocket> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`WebSocket refused with HTTP ${response.statusCode}`)),
      );
    });
    return new BenchSocket(label, socket);
  }

  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The arrival time of the next frame that matches, or undefined after the timeout. */
  next(match: (frame: ServerFrame) => boolean, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(undefined);
      }, timeoutMs);
      const unsubscribe = this.onFrame((frame, arrivedAt) => {
        if (!match(frame)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(arrivedAt);
      });
    });
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}

/** Runs `task` for indexes 0..count-1 with at most `parallel` at a time. */
export async function inParallel(count: number, parallel: number, task: (index: number) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

/** Opens many sockets, a few at a time (each `$connect` runs real functions). */
export async function openSockets(
  targets: readonly { url: string; label: string }[],
): Promise<BenchSocket[]> {
  const sockets: BenchSocket[] = new Array(targets.length);
  await inParallel(targets.length, 8, async (index) => {
    const target = targets[index] as { url: string; label: string };
    sockets[index] = await BenchSocket.open(target.url, target.label);
  });
  return sockets;
}
