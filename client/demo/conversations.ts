import type { Conversation, ConversationWithMembers, Message } from '@serverless-chat/client';

export interface ConversationView {
  conversation: Conversation;
  lastMessage: Message | null;
  memberIds: string[];
  /** Other members' read positions. */
  readSeqs: Map<string, number>;
}

/** The conversations the signed-in user is in, as the demo shows them. */
export class Conversations {
  private readonly byId = new Map<string, ConversationView>();

  constructor(private readonly me: string) {}

  get(conversationId: string): ConversationView | undefined {
    return this.byId.get(conversationId);
  }

  /** Stores what the server says about a conversation, keeping the last message known when none is given. */
  remember(conversation: ConversationWithMembers, lastMessage: Message | null): ConversationView {
    const readSeqs = new Map(
      conversation.members.filter((m) => m.userId !== this.me).map((m) => [m.userId, m.lastReadSeq] as const),
    );
    const entry: ConversationView = {
      conversation,
      lastMessage: lastMessage ?? this.byId.get(conversation.conversationId)?.lastMessage ?? null,
      memberIds: conversation.members.map((m) => m.userId),
      readSeqs,
    };
    this.byId.set(conversation.conversationId, entry);
    return entry;
  }

  /** The most recently active first. */
  newestFirst(): ConversationView[] {
    return [...this.byId.values()].sort((a, b) =>
      (b.lastMessage?.createdAt ?? b.conversation.createdAt).localeCompare(
        a.lastMessage?.createdAt ?? a.conversation.createdAt,
      ),
    );
  }

  /** Everyone the user shares a conversation with. */
  contacts(): string[] {
    return [...new Set([...this.byId.values()].flatMap((entry) => this.otherMembers(entry)))];
  }

  otherMembers(entry: ConversationView): string[] {
    return entry.memberIds.filter((id) => id !== this.me);
  }

  nameOf(entry: ConversationView): string {
    return entry.conversation.name ?? (this.otherMembers(entry).join(', ') || 'Just you');
  }
}
