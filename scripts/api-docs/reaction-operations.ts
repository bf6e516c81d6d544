/** The OpenAPI operations of the reaction routes (see http.ts for the others). */
import { limits } from '../../shared/domain/limits.ts';
import { reactionPath } from '../../shared/domain/schemas.ts';
import type { Operation } from './http.ts';

const reactionErrors = {
  403: 'not_member',
  404: 'not_found (no such message in this conversation)',
};

export const reactionOperations: Record<string, Operation> = {
  HttpAddReaction: {
    summary: 'React to a message with one emoji',
    description: `emoji (URL-encoded) must be exactly one emoji (Unicode RGI: ZWJ sequences, skin tones, flags, keycaps); a symbol without its emoji selector (❤) is the same reaction as the emoji (❤️). One reaction per user and emoji, so a repeat changes nothing. At most ${limits.maxReactionEmojiPerMessage} different emoji on a message and ${limits.maxReactionsPerUserPerMessage} reactions of one user on it. Every member's connections get message.reactions. In a direct conversation, a user the other member blocks cannot react.`,
    tag: 'Messages',
    path: reactionPath,
    success: { 204: { description: 'Reacted (or had already); no body.' } },
    errors: {
      400: 'validation_failed (emoji: not one emoji, or a limit reached)',
      ...reactionErrors,
      403: 'not_member; forbidden (blocked in a direct conversation)',
      409: 'conflict (the message was deleted)',
    },
  },
  HttpRemoveReaction: {
    summary: 'Take back a reaction',
    description: 'Members get message.reactions when there was one to take back.',
    tag: 'Messages',
    path: reactionPath,
    success: { 204: { description: 'Removed (or there was none); no body.' } },
    errors: { 400: 'validation_failed (emoji: not one emoji)', ...reactionErrors },
  },
};
