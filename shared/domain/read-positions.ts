/**
 * Read positions derived on every read from the conversations' repository, the source of truth: the user's
 * memberships (in DynamoDB a query of the inbox index) and each conversation's `lastSeq` and the user's own last
 * seq in it (parallel BatchGetItems reading nothing else). A change has nothing to do here: the conversation and
 * membership items it wrote are what is read.
 */
import type { ConversationRepository, ReadPosition, UnreadIndex } from './ports.ts';

export type PositionSource = Pick<ConversationRepository, 'allMemberships' | 'seqPositions'>;

export class DerivedUnreadIndex implements UnreadIndex {
  constructor(private readonly conversations: PositionSource) {}

  async positions(userId: string): Promise<ReadPosition[]> {
    const memberships = await this.conversations.allMemberships(userId);
    const seqs = await this.conversations.seqPositions(
      memberships.map((m) => m.conversationId),
      userId,
    );
    return memberships.flatMap(({ conversationId, lastReadSeq }) => {
      const seq = seqs.get(conversationId);
      return seq
        ? [{ conversationId, lastSeq: seq.lastSeq, readSeq: Math.max(lastReadSeq, seq.ownSeq) }]
        : [];
    });
  }

  async advanced(): Promise<void> {}
  async readTo(): Promise<void> {}
  async joined(): Promise<void> {}
  async left(): Promise<void> {}
}
