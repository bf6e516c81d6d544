import type { Message, MessagePage } from './protocol.ts';

export interface SequencerOptions {
  /** One page of messages after `afterSeq`, oldest first. */
  fetchAfter(conversationId: string, afterSeq: number): Promise<MessagePage>;
  deliver(message: Message): void;
  /**
   * How long a gap may stay open before it is fetched. The sender's ack travels directly while other
   * messages come through the stream fan-out, so short gaps usually close by themselves.
   */
  gapWaitMs: number;
  /**
   * How long a gap that history did not fill may stay open before its seqs count as holes (seqs at which the
   * server stored nothing, see the README) and the messages after it are delivered; history is read again
   * meanwhile, each wait twice the last. Longer than the server takes to complete a send whose function died.
   */
  holeWaitMs: number;
  onError(error: unknown): void;
}

interface ConversationState {
  conversationId: string;
  /** Highest seq the app has; every message up to it was delivered or shown in a page the app loaded. */
  lastSeq: number;
  /** Messages that arrived ahead of a gap, by seq. */
  waiting: Map<number, Message>;
  /** Seqs passed over as holes: a message at one of them is late, and is still delivered (once). */
  skipped: Set<number>;
  /** When the open gap was first found unfilled by history, if it was. */
  unfilledSinceMs: number | undefined;
  gapTimer: ReturnType<typeof setTimeout> | undefined;
  fetching: boolean;
  /** A fill was asked for while one ran; its pages may predate what was asked for. */
  fetchAgain: boolean;
}

/**
 * Delivers each conversation's messages exactly once and in seq order. A message is new when its seq is
 * beyond what the app has (seq and messageId name the same message, so this is the de-duplication);
 * a missing seq holds later messages back until the gap is fetched with `?after=`. A seq that history still
 * lacks after `holeWaitMs` is a hole: the messages after it go on, and should it arrive after all, it is
 * delivered then, out of order, rather than dropped.
 */
export class MessageSequencer {
  private readonly conversations = new Map<string, ConversationState>();

  constructor(private readonly options: SequencerOptions) {}

  receive(message: Message): void {
    const state = this.stateOf(message.conversationId, message.seq - 1);
    if (this.deliveredLate(state, message)) return;
    if (message.seq <= state.lastSeq) return;
    state.waiting.set(message.seq, message);
    this.drain(state);
    if (state.waiting.size > 0 && !state.gapTimer) {
      state.gapTimer = setTimeout(() => void this.fill(state), this.options.gapWaitMs);
    }
  }

  /** Records that the app already has every message up to `seq`, from the inbox or a history page. */
  markSeen(conversationId: string, seq: number): void {
    const state = this.stateOf(conversationId, seq);
    if (seq <= state.lastSeq) return;
    state.lastSeq = seq;
    for (const waitingSeq of state.waiting.keys()) {
      if (waitingSeq <= seq) state.waiting.delete(waitingSeq);
    }
    this.drain(state);
  }

  /**
   * Starts following a conversation the app has not seen yet from `lastSeq`: later messages are new, and
   * wait for each other in seq order. Changes nothing for a conversation already followed.
   */
  follow(conversationId: string, lastSeq: number): void {
    this.stateOf(conversationId, lastSeq);
  }

  /** After a reconnect: fetches whatever every known conversation missed while the socket was down. */
  recoverAll(): Promise<void> {
    return Promise.all([...this.conversations.values()].map((state) => this.fill(state))).then(
      () => undefined,
    );
  }

  private async fill(state: ConversationState): Promise<void> {
    clearTimeout(state.gapTimer);
    state.gapTimer = undefined;
    if (state.fetching) {
      state.fetchAgain = true;
      return;
    }
    state.fetching = true;
    try {
      do {
        state.fetchAgain = false;
        await this.fetchPages(state);
      } while (state.fetchAgain);
    } catch (error) {
      this.options.onError(error);
      // Looked at again as history that did not fill the gap: a passing failure (a 5xx, a network blip) must
      // not hold a quiet conversation back until its next message, and a lasting one (not_member) ends.
      this.awaitHoles(state);
    } finally {
      state.fetching = false;
    }
  }

  private async fetchPages(state: ConversationState): Promise<void> {
    for (;;) {
      const lastSeqBefore = state.lastSeq;
      const page = await this.options.fetchAfter(state.conversationId, lastSeqBefore);
      for (const message of page.items) {
        if (this.deliveredLate(state, message)) continue;
        if (message.seq > state.lastSeq) state.waiting.set(message.seq, message);
      }
      this.drain(state);
      // Stop on a page that moved nothing forward, rather than asking for it forever.
      if (!page.hasMore || state.lastSeq === lastSeqBefore) break;
    }
    if (state.waiting.size > 0) this.awaitHoles(state);
  }

  /**
   * History did not fill the gap, or could not be read: look again, each wait twice the last (from `gapWaitMs`),
   * since the missing message is usually stored a moment later (its send acks before it delivers and stores it);
   * once `holeWaitMs` has passed since the first look, pass over what is still missing. A recovery after a
   * reconnect that failed, with nothing held back, is tried again the same way and then left to the next message.
   */
  private awaitHoles(state: ConversationState): void {
    const now = Date.now();
    state.unfilledSinceMs ??= now;
    const waitedMs = now - state.unfilledSinceMs;
    const leftMs = this.options.holeWaitMs - waitedMs;
    if (leftMs > 0) {
      clearTimeout(state.gapTimer);
      const pauseMs = Math.min(leftMs, Math.max(this.options.gapWaitMs, waitedMs));
      state.gapTimer = setTimeout(() => void this.fill(state), pauseMs);
      return;
    }
    state.unfilledSinceMs = undefined;
    if (state.waiting.size === 0) return;
    const next = Math.min(...state.waiting.keys());
    for (let seq = state.lastSeq + 1; seq < next; seq++) state.skipped.add(seq);
    state.lastSeq = next - 1;
    this.drain(state);
    // A gap further on gets a wait of its own.
    if (state.waiting.size > 0)
      state.gapTimer = setTimeout(() => void this.fill(state), this.options.gapWaitMs);
  }

  /** A message at a seq passed over as a hole: delivered now, once. */
  private deliveredLate(state: ConversationState, message: Message): boolean {
    if (!state.skipped.delete(message.seq)) return false;
    this.options.deliver(message);
    return true;
  }

  private drain(state: ConversationState): void {
    for (let next = state.waiting.get(state.lastSeq + 1); next; next = state.waiting.get(state.lastSeq + 1)) {
      state.waiting.delete(next.seq);
      state.lastSeq = next.seq;
      this.options.deliver(next);
    }
    if (state.waiting.size === 0) {
      clearTimeout(state.gapTimer);
      state.gapTimer = undefined;
      state.unfilledSinceMs = undefined;
    }
  }

  /** A conversation seen for the first time starts right before what revealed it. */
  private stateOf(conversationId: string, lastSeq: number): ConversationState {
    let state = this.conversations.get(conversationId);
    if (!state) {
      state = {
        conversationId,
        lastSeq,
        waiting: new Map(),
        skipped: new Set(),
        unfilledSinceMs: undefined,
        gapTimer: undefined,
        fetching: false,
        fetchAgain: false,
      };
      this.conversations.set(conversationId, state);
    }
    return state;
  }
}
