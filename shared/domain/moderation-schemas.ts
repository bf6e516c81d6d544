/** Input schemas of reports and of the moderators' routes (see schemas.ts for the conventions). */
import * as z from 'zod/mini';
import { limits } from './limits.ts';
import { reportReasons, reportStatuses, resolutionActions } from './moderation-ports.ts';
import { id, pageLimit } from './schemas.ts';
import { textProblem } from './validate.ts';

/** A free text of a moderation record (a reporter's note, a moderator's reason): 1 to `max` characters. */
export const moderationText = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    z.superRefine((text, ctx) => {
      const problem = text === '' ? undefined : textProblem(text, { multiline: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );

export const reportBody = z.object({
  reason: z.enum(reportReasons),
  note: z.optional(moderationText(limits.maxReportNoteLength)),
});

export const reportListQuery = z.object({
  status: z._default(z.enum(reportStatuses), 'open'),
  limit: pageLimit,
  cursor: z.optional(z.string().check(z.maxLength(512))),
});

export const reportPath = z.object({ reportId: id });
export const resolveReportBody = z.object({ action: z.enum(resolutionActions) });
export const removalBody = z.object({
  reason: z.optional(moderationText(limits.maxModerationReasonLength)),
});
