/**
 * In-memory fakes of the reaction and mention ports (shared/domain/rich-ports.ts), deciding each write at the
 * moment of the call as the DynamoDB adapters' single-item writes are decided.
 */
import type { ReactionCount } from '../../shared/domain/model.ts';
import type { MentionRepository, Reaction, ReactionRepository } from '../../shared/domain/rich-ports.ts';

const reactionKey = ({ conversationId, seq, userId, emoji }: Reaction) =>
  `${conversationId}|${seq}|${userId}|${emoji}`;

interface Summary {
  /** Emoji in the order first used, with their count and recent users (oldest first). */
  emojis: Map<string, { count: number; users: string[] }>;
}

function reactionsOf(summary: Summary, maxRecent: number): ReactionCount[] {
  return [...summary.emojis]
    .filter(([, { count }]) => count > 0)
    .map(([emoji, { count, users }]) => ({ emoji, count, userIds: users.slice(-maxRecent).reverse() }))
    .sort((a, b) => b.count - a.count || a.emoji.localeCompare(b.emoji));
}

export class InMemoryReactions implements ReactionRepository {
  private readonly reactions = new Set<string>();
  private readonly summaryBySeq = new Map<string, Summary>();

  async put(reaction: Reaction): Promise<boolean> {
    const key = reactionKey(reaction);
    if (this.reactions.has(key)) return false;
    this.reactions.add(key);
    return true;
  }

  async delete(reaction: Reaction): Promise<boolean> {
    return this.reactions.delete(reactionKey(reaction));
  }

  async countOfUser({ conversationId, seq, userId }: Omit<Reaction, 'emoji'>): Promise<number> {
    const prefix = `${conversationId}|${seq}|${userId}|`;
    return [...this.reactions].filter((key) => key.startsWith(prefix)).length;
  }

  async count(
    options: Reaction & { delta: 1 | -1; maxEmoji: number; maxRecent: number },
  ): Promise<ReactionCount[] | 'emoji-limit'> {
    const key = `${options.conversationId}|${options.seq}`;
    const summary = this.summaryBySeq.get(key) ?? { emojis: new Map() };
    const entry = summary.emojis.get(options.emoji);
    if (!entry && summary.emojis.size >= options.maxEmoji) return 'emoji-limit';
    const counted: { count: number; users: string[] } = entry ?? { count: 0, users: [] };
    counted.count += options.delta;
    counted.users =
      options.delta === 1
        ? [...counted.users, options.userId].slice(-options.maxRecent)
        : counted.users.filter((userId) => userId !== options.userId);
    summary.emojis.set(options.emoji, counted);
    this.summaryBySeq.set(key, summary);
    return reactionsOf(summary, options.maxRecent);
  }

  async summaries(options: { conversationId: string; fromSeq: number; toSeq: number; maxRecent: number }) {
    const bySeq = new Map<number, ReactionCount[]>();
    for (let seq = options.fromSeq; seq <= options.toSeq; seq++) {
      const summary = this.summaryBySeq.get(`${options.conversationId}|${seq}`);
      const reactions = summary ? reactionsOf(summary, options.maxRecent) : [];
      if (reactions.length > 0) bySeq.set(seq, reactions);
    }
    return bySeq;
  }
}

/** The mentions noted per conversation and member, as sets of seqs. */
export class InMemoryMentions implements MentionRepository {
  readonly seqs = new Map<string, Set<number>>();

  async mark({ conversationId, seq, userIds }: { conversationId: string; seq: number; userIds: string[] }) {
    for (const userId of userIds) {
      const key = `${conversationId}|${userId}`;
      this.seqs.set(key, new Set([...(this.seqs.get(key) ?? []), seq]));
    }
  }

  async unmark({ conversationId, seq, userIds }: { conversationId: string; seq: number; userIds: string[] }) {
    for (const userId of userIds) this.seqs.get(`${conversationId}|${userId}`)?.delete(seq);
  }
}
