/** Follows every expected `message.ack` and `message.new` of a scenario: latencies, losses, errors, order. */
import { performance } from 'node:perf_hooks';
import type { BenchSocket, ServerFrame } from './client.ts';

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
  /** The errors by `code` (`untyped` for the gateway's own answer, `no_ack` for an ack that never came). */
  errorsByCode: Record<string, number>;
  /** `message.new` frames that reached a socket after a later `seq` of the same conversation had (the SDK reorders). */
  outOfOrder: number;
  /** Acks of one conversation that carried a `seq` another ack had already carried (must be 0). */
  seqCollisions: number;
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
  private readonly errorsByCode: Record<string, number> = {};
  private readonly lastSeqSeen = new Map<string, number>();
  private readonly ackedSeqs = new Set<string>();
  private outOfOrder = 0;
  private seqCollisions = 0;
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
        this.countError('no ack within the timeout', 'no_ack');
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
      errorsByCode: this.errorsByCode,
      outOfOrder: this.outOfOrder,
      seqCollisions: this.seqCollisions,
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
    const message = frame.message as
      | { clientMessageId?: string; conversationId?: string; seq?: number }
      | undefined;
    if (frame.type === 'message.ack') {
      const send = this.pending.get(String(frame.clientMessageId));
      if (!send) return;
      const seqKey = `${message?.conversationId}#${message?.seq}`;
      if (this.ackedSeqs.has(seqKey)) this.seqCollisions++;
      this.ackedSeqs.add(seqKey);
      this.ackMs.push(arrivedAt - send.sentAt);
      this.lastEventAt = Math.max(this.lastEventAt, arrivedAt);
      send.acknowledge();
    } else if (frame.type === 'message.new') {
      const send = this.pending.get(String(message?.clientMessageId));
      if (!send?.awaiting.delete(label)) {
        this.duplicates++;
        return;
      }
      const stream = `${label}#${message?.conversationId}`;
      const seq = message?.seq ?? 0;
      if (seq < (this.lastSeqSeen.get(stream) ?? 0)) this.outOfOrder++;
      else this.lastSeqSeen.set(stream, seq);
      this.recipientMs.push(arrivedAt - send.sentAt);
      this.lastEventAt = Math.max(this.lastEventAt, arrivedAt);
      if (send.awaiting.size === 0) send.delivered();
    } else if (frame.type === 'error' || (frame.type === undefined && 'message' in frame)) {
      // `{ message: 'Internal server error' }` is what the gateway sends when a function throws.
      this.countError(JSON.stringify(frame), typeof frame.code === 'string' ? frame.code : 'untyped');
      const send = this.pending.get(String(frame.clientMessageId));
      // A refused message is not stored, so none of its deliveries is expected.
      send?.awaiting.clear();
      send?.acknowledge();
      send?.delivered();
    }
  }

  private countError(reason: string, code: string): void {
    this.errors++;
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    if (this.errorSamples.length < maxErrorSamples) this.errorSamples.push(reason.slice(0, 300));
  }
}
