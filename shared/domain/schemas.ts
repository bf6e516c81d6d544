/** Input schemas of every frame and request; unknown fields are ignored (stripped) everywhere. */
import { z } from 'zod';
import { limits } from './limits.ts';
import { textProblem } from './validate.ts';

export const id = z.string().regex(limits.idPattern, 'must be 1-128 of A-Z a-z 0-9 _ . : @ | -');
const seq = z.number().int('must be an integer').min(0, 'must be >= 0').max(Number.MAX_SAFE_INTEGER);
/** Size is checked by `messageBody()` so that too large answers payload_too_large, not validation_failed. */
const body = z.string();

export const sendMessageFrame = z.object({ conversationId: id, clientMessageId: id, body });
export const typingFrame = z.object({ conversationId: id, isTyping: z.boolean().default(true) });
export const markReadFrame = z.object({ conversationId: id, seq });
export const heartbeatFrame = z.object({ reply: z.boolean().default(false) });

export const createConversationBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('direct'),
    memberIds: z.array(id).length(1, 'a direct conversation has exactly one other member'),
  }),
  z.object({
    type: z.literal('group'),
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(limits.maxGroupNameLength)
      .superRefine((name, ctx) => {
        const problem = name === '' ? undefined : textProblem(name, { multiline: false });
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    memberIds: z.array(id).min(1).max(limits.maxMembersPerAdd),
  }),
]);
export const addMembersBody = z.object({ userIds: z.array(id).min(1).max(limits.maxMembersPerAdd) });
export const sendMessageBody = z.object({ clientMessageId: id, body });
export const editMessageBody = z.object({ body });
export const markReadBody = z.object({ seq });

const queryInt = (min: number, max: number) => z.coerce.number().int('must be an integer').min(min).max(max);
const pageLimit = queryInt(1, limits.maxPageLimit).default(limits.defaultPageLimit);
export const listMessagesQuery = z
  .object({
    limit: pageLimit,
    before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
    after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((q) => q.before === undefined || q.after === undefined, {
    message: 'use either before or after',
    path: ['before'],
  });
export const inboxQuery = z.object({ limit: pageLimit, cursor: z.string().max(512).optional() });
export const presenceQuery = z.object({
  userIds: z
    .string()
    .transform((s) => [...new Set(s.split(',').filter((part) => part !== ''))])
    .pipe(
      z
        .array(id)
        .min(1, 'give at least one id')
        .max(limits.maxPresenceIds, `at most ${limits.maxPresenceIds} ids`),
    ),
});
export const conversationPath = z.object({ conversationId: id });
export const memberPath = z.object({ conversationId: id, userId: id });
export const messagePath = z.object({ conversationId: id, messageId: id });
