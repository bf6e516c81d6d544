/**
 * Input schemas of every frame and request; unknown fields are ignored (stripped) everywhere. Written with
 * `zod/mini` (the same validation core as `zod`, functional and tree-shakable): a function bundles only the
 * checks its schemas use, not the whole library (about 440 KiB minified).
 */

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { limits } from './limits.ts';
import { textProblem } from './validate.ts';

// The English messages `zod` installs by itself; without them every problem would read "Invalid input".
z.config(en());

export const id = z.string().check(z.regex(limits.idPattern, 'must be 1-128 of A-Z a-z 0-9 _ . : @ | -'));
const seq = z
  .number()
  .check(z.int('must be an integer'), z.gte(0, 'must be >= 0'), z.lte(Number.MAX_SAFE_INTEGER));
/** Size is checked by `messageBody()` so that too large answers payload_too_large, not validation_failed. */
const body = z.string();

/** Uploads the message names (`POST .../attachments`); with some, `body` may be empty. */
const attachmentIds = z.optional(
  z.array(id).check(
    z.maxLength(limits.maxAttachmentsPerMessage, `at most ${limits.maxAttachmentsPerMessage} attachments`),
    z.refine((ids) => new Set(ids).size === ids.length, 'must not name an attachment twice'),
  ),
);

/** The message a reply answers, and the members a message mentions (each a member: the send checks). */
const replyTo = z.optional(id);
const mentions = z.optional(
  z.array(id).check(
    z.maxLength(limits.maxMentionsPerMessage, `at most ${limits.maxMentionsPerMessage} mentions`),
    z.refine((ids) => new Set(ids).size === ids.length, 'must not mention a user twice'),
  ),
);

export const sendMessageFrame = z.object({
  conversationId: id,
  clientMessageId: id,
  body,
  attachmentIds,
  replyTo,
  mentions,
});
export const typingFrame = z.object({ conversationId: id, isTyping: z._default(z.boolean(), true) });
export const markReadFrame = z.object({ conversationId: id, seq });
export const heartbeatFrame = z.object({ reply: z._default(z.boolean(), false) });

const groupName = z.string().check(
  z.trim(),
  z.minLength(1, 'must not be empty'),
  z.maxLength(limits.maxGroupNameLength),
  z.superRefine((name, ctx) => {
    const problem = name === '' ? undefined : textProblem(name, { multiline: false });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);
const memberIds = z.array(id).check(z.minLength(1), z.maxLength(limits.maxMembersPerAdd));

export const createConversationBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('direct'),
    memberIds: z.array(id).check(z.length(1, 'a direct conversation has exactly one other member')),
  }),
  z.object({ type: z.literal('group'), name: groupName, memberIds }),
]);
export const addMembersBody = z.object({ userIds: memberIds });
export const sendMessageBody = z.object({ clientMessageId: id, body, attachmentIds, replyTo, mentions });
export const editMessageBody = z.object({ body });
export const markReadBody = z.object({ seq });

const queryInt = (min: number, max: number) =>
  z.coerce.number().check(z.int('must be an integer'), z.gte(min), z.lte(max));
export const pageLimit = z._default(queryInt(1, limits.maxPageLimit), limits.defaultPageLimit);
export const listMessagesQuery = z
  .object({
    limit: pageLimit,
    before: z.optional(queryInt(1, Number.MAX_SAFE_INTEGER)),
    after: z.optional(queryInt(0, Number.MAX_SAFE_INTEGER)),
  })
  .check(
    z.refine((q) => q.before === undefined || q.after === undefined, {
      message: 'use either before or after',
      path: ['before'],
    }),
  );
export const inboxQuery = z.object({
  limit: pageLimit,
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
export const presenceQuery = z.object({
  userIds: z.pipe(
    z.pipe(
      z.string(),
      z.transform((s) => [...new Set(s.split(',').filter((part) => part !== ''))]),
    ),
    z
      .array(id)
      .check(
        z.minLength(1, 'give at least one id'),
        z.maxLength(limits.maxPresenceIds, `at most ${limits.maxPresenceIds} ids`),
      ),
  ),
});
export const conversationPath = z.object({ conversationId: id });
export const memberPath = z.object({ conversationId: id, userId: id });
export const userPath = z.object({ userId: id });
export const messagePath = z.object({ conversationId: id, messageId: id });
/** The emoji is checked by `reactionEmoji()`, which also stores a bare symbol as its emoji form. */
export const reactionPath = z.object({ conversationId: id, messageId: id, emoji: z.string() });
