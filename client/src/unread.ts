import type { InboxEntry, UnreadEvent } from './protocol.ts';

/**
 * Unread counts kept exact on the client the way the server counts them: the conversation's last seq minus
 * the user's read position, where the user's own messages move the read position too.
 */
export class UnreadCounts {
  private readonly conversations = new Map<string, { lastSeq: number; readSeq: number }>();

  constructor(private readonly onChange: (event: UnreadEvent) => void) {}

  get total(): number {
    let total = 0;
    for (const conversationId of this.conversations.keys()) total += this.count(conversationId);
    return total;
  }

  count(conversationId: string): number {
    const state = this.conversations.get(conversationId);
    return state ? Math.max(0, state.lastSeq - state.readSeq) : 0;
  }

  /** The highest seq known in the conversation, if any. */
  lastSeq(conversationId: string): number | undefined {
    return this.conversations.get(conversationId)?.lastSeq;
  }

  seed(entries: InboxEntry[]): void {
    for (const { conversation, unreadCount } of entries) {
      this.move(conversation.conversationId, conversation.lastSeq, conversation.lastSeq - unreadCount);
    }
  }

  messageArrived(conversationId: string, seq: number, ownMessage: boolean): void {
    this.move(conversationId, seq, ownMessage ? seq : 0);
  }

  /** Returns false when `seq` is not past the read position, so there is nothing to tell the server. */
  markedRead(conversationId: string, seq: number): boolean {
    const state = this.conversations.get(conversationId);
    if (state && seq <= state.readSeq) return false;
    this.move(conversationId, 0, seq);
    return true;
  }

  /** The server's count after a read on one of the user's devices. */
  serverCount({ conversationId, count }: UnreadEvent): void {
    const lastSeq = this.conversations.get(conversationId)?.lastSeq ?? count;
    this.move(conversationId, 0, lastSeq - count);
  }

  /**
   * Positions only move forward, so events arriving in any order end in the same counts; like the server,
   * the read position never passes the last message.
   */
  private move(conversationId: string, lastSeq: number, readSeq: number): void {
    const before = this.conversations.get(conversationId) ?? { lastSeq: 0, readSeq: 0 };
    const countBefore = this.count(conversationId);
    const nextLastSeq = Math.max(before.lastSeq, lastSeq);
    const nextReadSeq = Math.min(nextLastSeq, Math.max(before.readSeq, readSeq));
    this.conversations.set(conversationId, { lastSeq: nextLastSeq, readSeq: nextReadSeq });
    const count = this.count(conversationId);
    if (count !== countBefore) this.onChange({ conversationId, count, total: this.total });
  }
}
