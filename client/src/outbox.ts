import { ContentRejectedError } from './errors.ts';
import type { ClientFrame, Message, SendOptions } from './protocol.ts';

export type OutgoingStatus = 'pending' | 'sent' | 'failed';

/** A file of a send, as it uploads; `attachmentId` once it is in the object store. */
export interface OutgoingUpload {
  fileName: string;
  contentType: string;
  size: number;
  /** Bytes sent so far. */
  loaded: number;
  attachmentId?: string;
}

/** A message this device is sending, as the app shows it before and after the server stored it. */
export interface OutgoingMessage extends SendOptions {
  conversationId: string;
  clientMessageId: string;
  body: string;
  status: OutgoingStatus;
  /** The stored message, once `sent`. */
  message?: Message;
  /**
   * Why it `failed`; `timeout` when no answer came in time, a `ContentRejectedError` when the filter refused it,
   * `upload_failed` when a file could not be uploaded.
   */
  error?: { code: string; message: string };
  /** The files sent with `attachments`, in order; the message goes out once all are uploaded. */
  uploads?: OutgoingUpload[];
}

export interface OutboxOptions {
  /** Sends a frame; false when offline, and the message then waits for the next `flush`. */
  transmit(frame: ClientFrame): boolean;
  ackTimeoutMs: number;
  /** A send without ack for this long makes the outbox ask whether the socket is still alive. */
  probeDelayMs: number;
  /** Called when a send waited `probeDelayMs` without an answer (the client then checks the connection). */
  onUnanswered(): void;
  /** Which socket `transmit` writes to now, so messages on a socket retired by a hand-over can go again. */
  currentLink(): number | undefined;
  /** A message sent on the socket `link` was answered (acked, refused or timed out). */
  onAnswered(link: number): void;
  onChange(message: OutgoingMessage): void;
}

interface InFlight {
  clientMessageId: string;
  link: number | undefined;
  timer: ReturnType<typeof setTimeout>;
  probeTimer: ReturnType<typeof setTimeout>;
}

/** A new message as it shows before it goes: its text and the options it was sent with that apply. */
export function pendingMessage(
  conversationId: string,
  clientMessageId: string,
  body: string,
  { replyTo, mentions, attachmentIds }: SendOptions,
): OutgoingMessage {
  return {
    conversationId,
    clientMessageId,
    body,
    ...(replyTo ? { replyTo } : {}),
    ...(mentions?.length ? { mentions } : {}),
    ...(attachmentIds?.length ? { attachmentIds } : {}),
    status: 'pending',
  };
}

/**
 * Optimistic sends. At most one message per conversation is on the wire at a time: the server may process
 * frames of one socket concurrently, so waiting for each ack is what keeps the conversation in send order.
 * A message on the wire when the socket drops goes again after reconnecting with the same
 * `clientMessageId`, which the server stores only once.
 */
export class Outbox {
  /** Pending and failed messages in send order; a sent message leaves. */
  private readonly unsent = new Map<string, OutgoingMessage>();
  /** conversationId → the message on the wire and its ack timer. */
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly options: OutboxOptions) {}

  add(
    conversationId: string,
    clientMessageId: string,
    body: string,
    options: SendOptions = {},
  ): OutgoingMessage {
    return this.queue(pendingMessage(conversationId, clientMessageId, body, options));
  }

  /** Puts a pending message last in line. */
  queue(message: OutgoingMessage): OutgoingMessage {
    this.update(message);
    this.flush();
    return message;
  }

  /** Queues a failed message again, last in line, under the same `clientMessageId`; not one the filter refused. */
  retry(clientMessageId: string): OutgoingMessage | undefined {
    const failed = this.unsent.get(clientMessageId);
    if (failed?.status !== 'failed' || failed.error instanceof ContentRejectedError) return undefined;
    this.unsent.delete(clientMessageId);
    const { error: _, ...rest } = failed;
    const pending: OutgoingMessage = { ...rest, status: 'pending' };
    this.update(pending);
    this.flush();
    return pending;
  }

  /** Also accepts a late ack of a message that timed out: the server did store it. */
  acknowledge(clientMessageId: string, message: Message): void {
    const outgoing = this.unsent.get(clientMessageId);
    if (!outgoing) return;
    const link = this.settle(outgoing);
    const { error: _, ...rest } = outgoing;
    this.update({ ...rest, status: 'sent', message });
    this.flush();
    if (link !== undefined) this.options.onAnswered(link);
  }

  /** Returns false when the id is not one of the messages waiting here. */
  fail(clientMessageId: string, error: { code: string; message: string }): boolean {
    const outgoing = this.unsent.get(clientMessageId);
    if (outgoing?.status !== 'pending') return false;
    const link = this.settle(outgoing);
    this.update({ ...outgoing, status: 'failed', error });
    this.flush();
    if (link !== undefined) this.options.onAnswered(link);
    return true;
  }

  /** Whether a message sent on the socket `link` still waits for its answer. */
  awaitsAnswer(link: number): boolean {
    for (const inFlight of this.inFlight.values()) if (inFlight.link === link) return true;
    return false;
  }

  /** Messages on the wire may not have arrived: they go again, in order, on the next `flush`. */
  connectionLost(): void {
    for (const inFlight of this.inFlight.values()) clearTimers(inFlight);
    this.inFlight.clear();
  }

  /**
   * A socket was closed while the connection stays open (the hand-over to the next socket): messages sent on it
   * whose ack had not come go again, on the current socket, with the same `clientMessageId`.
   */
  linkRetired(link: number): void {
    for (const [conversationId, inFlight] of this.inFlight) {
      if (inFlight.link !== link) continue;
      clearTimers(inFlight);
      this.inFlight.delete(conversationId);
    }
    this.flush();
  }

  /** Puts the oldest pending message of each idle conversation on the wire. */
  flush(): void {
    for (const message of this.unsent.values()) {
      if (message.status !== 'pending' || this.inFlight.has(message.conversationId)) continue;
      const { conversationId, clientMessageId, body, replyTo, mentions, attachmentIds } = message;
      const link = this.options.currentLink();
      const extras = {
        ...(replyTo ? { replyTo } : {}),
        ...(mentions ? { mentions } : {}),
        ...(attachmentIds ? { attachmentIds } : {}),
      };
      if (!this.options.transmit({ action: 'sendMessage', conversationId, clientMessageId, body, ...extras }))
        return;
      const timer = setTimeout(
        () => this.fail(clientMessageId, { code: 'timeout', message: 'No answer from the server' }),
        this.options.ackTimeoutMs,
      );
      const probeTimer = setTimeout(() => this.options.onUnanswered(), this.options.probeDelayMs);
      this.inFlight.set(conversationId, { clientMessageId, link, timer, probeTimer });
    }
  }

  /** Takes the message off the wire; answers the socket it was sent on. */
  private settle(message: OutgoingMessage): number | undefined {
    const inFlight = this.inFlight.get(message.conversationId);
    if (inFlight?.clientMessageId !== message.clientMessageId) return undefined;
    clearTimers(inFlight);
    this.inFlight.delete(message.conversationId);
    return inFlight.link;
  }

  private update(message: OutgoingMessage): void {
    if (message.status === 'sent') this.unsent.delete(message.clientMessageId);
    else this.unsent.set(message.clientMessageId, message);
    this.options.onChange(message);
  }
}

function clearTimers(inFlight: InFlight): void {
  clearTimeout(inFlight.timer);
  clearTimeout(inFlight.probeTimer);
}
