import type { Message, MessagePage } from './protocol.ts';

/** Pages back through a conversation's history, newest page first. */
export class HistoryPager {
  /** False once the oldest message was loaded. */
  hasMore = true;
  private oldestSeq: number | undefined;

  constructor(
    private readonly fetchBefore: (beforeSeq: number | undefined) => Promise<MessagePage>,
    private readonly onPage: (messages: Message[]) => void,
  ) {}

  /** The next older page, oldest first (ready to put above what is shown); empty once nothing is left. */
  async loadOlder(): Promise<Message[]> {
    if (!this.hasMore) return [];
    const page = await this.fetchBefore(this.oldestSeq);
    const messages = [...page.items].sort((a, b) => a.seq - b.seq);
    this.hasMore = page.hasMore;
    this.oldestSeq = messages[0]?.seq ?? this.oldestSeq;
    this.onPage(messages);
    return messages;
  }
}
