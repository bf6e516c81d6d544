/**
 * The ports of reactions and mentions (README "Rich messages"), beside `ports.ts`: what their use cases need
 * from storage, in the domain's terms.
 */
import type { ReactionCount } from './model.ts';

/** One user's reaction with one emoji to the message at `seq` of a conversation. */
export interface Reaction {
  conversationId: string;
  seq: number;
  emoji: string;
  userId: string;
}

/**
 * Reactions: one item per (message, emoji, user), so a reaction is added once however often it is asked, and a
 * summary per message with each emoji's count and recent users, changed by atomic additions (never read and
 * rewritten), so any number of concurrent reactors are each counted once without retries.
 */
export interface ReactionRepository {
  /** Records the reaction unless it exists; answers whether it was new. */
  put(reaction: Reaction & { at: string; expiresAt?: number }): Promise<boolean>;
  /** Forgets the reaction; answers whether there was one. */
  delete(reaction: Reaction): Promise<boolean>;
  /** How many reactions (distinct emoji) the user has on the message. */
  countOfUser(options: { conversationId: string; seq: number; userId: string }): Promise<number>;
  /**
   * Counts a new (`+1`) or removed (`-1`) reaction in the message's summary and answers the summary after it; a
   * new emoji is refused (`emoji-limit`) when the message already has `maxEmoji` distinct ones.
   */
  count(
    reaction: Reaction & { delta: 1 | -1; maxEmoji: number; maxRecent: number; expiresAt?: number },
  ): Promise<ReactionCount[] | 'emoji-limit'>;
  /** The reactions of the conversation's messages from `fromSeq` to `toSeq`, by seq (messages with none left out). */
  summaries(options: {
    conversationId: string;
    fromSeq: number;
    toSeq: number;
    maxRecent: number;
  }): Promise<Map<number, ReactionCount[]>>;
}

/**
 * Which messages mention a member, kept on the member item as a set of seqs: adding a seq again changes nothing,
 * so a redelivered stream record cannot count a mention twice, and the unread ones are those past the read
 * position.
 */
export interface MentionRepository {
  /** Notes that message `seq` mentions these members (non-members are skipped); drops the ones already read. */
  mark(options: { conversationId: string; seq: number; userIds: string[] }): Promise<void>;
  /** Forgets the mention of these members by message `seq` (it was deleted). */
  unmark(options: { conversationId: string; seq: number; userIds: string[] }): Promise<void>;
}
