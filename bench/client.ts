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

interface PendingSend {
  sentAt: number;
  /** Labels of the connections whose `message.new` has not arrived yet. */
  awaiting: Set<string>;
  acknowledge: () => void;
  /** Called once nothing is awaited any more. */
  delivered: () => void;
}

export interface DeliveryResults {
  sent: number;
  acked: number;
  ackMs: number[];
  recipientMs: number[];
  deliveries: number;
  /** Expected `message.new` frames that never arrived within the timeout. */
  lost: number;
  /** `error` frames, integration failures and acks that never came. */
  errors: number;
  errorSamples: string[];
  /** `message.new` frames seen again (allowed: the fan-out is at-least-once) or not meant for the socket. */
  duplicates: number;
  /** From the first send to the last ack or delivery, in milliseconds. */
  wallMs: number;
}

const maxErrorSamples = 5;

export class DeliveryTracker {
  private readonly pending = new Map<string, PendingSend>();
  private readonly ackMs: number[] = [];
  private readonly recipientMs: number[] = [];
  private readonly errorSamples: string[] = [];
  private sent = 0;
  private errors = 0;
  private duplicates = 0;
  private firstSentAt = Number.POSITIVE_INFINITY;
  private lastEventAt = 0;
  private nextId = 0;

  constructor(
    /** Makes clientMessageIds unique across scenarios. */
    private readonly prefix: string,
    /** How long an expected delivery may take before it counts as lost. */
    private readonly deliveryTimeoutMs: number,
    private readonly ackTimeoutMs = 30_000,
  ) {}

  /** Follows the frames of these sockets; answers a function that stops following them. */
  watch(sockets: readonly BenchSocket[]): () => void {
    const stops = sockets.map((socket) =>
      socket.onFrame((frame, at) => this.handle(socket.label, frame, at)),
    );
    return () => {
      for (const stop of stops) stop();
    };
  }

  /**
   * Sends a message and resolves on its ack (or error, or ack timeout); with `waitFor: 'delivery'` only once
   * every recipient also got it, or the delivery timeout passed.
   */
  async send(
    from: BenchSocket,
    conversationId: string,
    recipients: readonly BenchSocket[],
    waitFor: 'ack' | 'delivery',
  ): Promise<void> {
    const clientMessageId = `${this.prefix}-${this.nextId++}`;
    const sentAt = performance.now();
    const send: PendingSend = {
      sentAt,
      awaiting: new Set(recipients.map((socket) => socket.label)),
      acknowledge: () => undefined,
      delivered: () => undefined,
    };
    const acknowledged = new Promise<void>((resolve) => {
      // A missing ack is an error, but the message may still be stored: its deliveries stay expected.
      const timer = setTimeout(() => {
        this.countError('no ack within the timeout');
        resolve();
      }, this.ackTimeoutMs);
      send.acknowledge = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const delivered = new Promise<void>((resolve) => {
      send.delivered = resolve;
    });
    this.firstSentAt = Math.min(this.firstSentAt, sentAt);
    this.sent++;
    this.pending.set(clientMessageId, send);
    from.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId,
      body: `benchmark ${clientMessageId}`,
    });
    await acknowledged;
    if (waitFor === 'delivery' && send.awaiting.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.deliveryTimeoutMs);
      });
      await Promise.race([delivered, timedOut]);
      clearTimeout(timer);
    }
  }

  /** Waits until every expected delivery arrived, or the delivery timeout passed; then reports. */
  async settle(): Promise<DeliveryResults> {
    const deadline = performance.now() + this.deliveryTimeoutMs;
    while (this.awaitingCount() > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return {
      sent: this.sent,
      acked: this.ackMs.length,
      ackMs: this.ackMs,
      recipientMs: this.recipientMs,
      deliveries: this.recipientMs.length,
      lost: this.awaitingCount(),
      errors: this.errors,
      errorSamples: this.errorSamples,
      duplicates: this.duplicates,
      wallMs: this.sent === 0 ? 0 : this.lastEventAt - this.firstSentAt,
    };
  }

  private awaitingCount(): number {
    let count = 0;
    for (const send of this.pending.values()) count += send.awaiting.size;
    return count;
  }

  private handle(label: string, frame: ServerFrame, arrivedAt: number): void {
    const message = frame.message as { clientMessageId?: string } | undefined;
    if (frame.type === 'message.ack') {
      const send = this.pending.get(String(frame.clientMessageId));
      if (!send) return;
      this.ackMs.push(arrivedAt - send.sentAt);
      this.lastEventAt = Math.max(this.lastEventAt, arrivedAt);
      send.acknowledge();
    } else if (frame.type === 'message.new') {
      const send = this.pending.get(String(message?.clientMessageId));
      if (!send?.awaiting.delete(label)) {
        this.duplicates++;
        return;
      }
      this.recipientMs.push(arrivedAt - send.sentAt);
      this.lastEventAt = Math.max(this.lastEventAt, arrivedAt);
      if (send.awaiting.size === 0) send.delivered();
    } else if (frame.type === 'error' || (frame.type === undefined && 'message' in frame)) {
      // `{ message: 'Internal server error' }` is what the gateway sends when a function throws.
      this.countError(JSON.stringify(frame));
      const send = this.pending.get(String(frame.clientMessageId));
      // A refused message is not stored, so none of its deliveries is expected.
      send?.awaiting.clear();
      send?.acknowledge();
      send?.delivered();
    }
  }

  private countError(reason: string): void {
    this.errors++;
    if (this.errorSamples.length < maxErrorSamples) this.errorSamples.push(reason.slice(0, 300));
  }
}
