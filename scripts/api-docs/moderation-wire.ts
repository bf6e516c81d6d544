/** The response shapes of reports and moderation, checked against the use cases' results like wire.ts's. */
import { z } from 'zod';
import type { listReports } from '../../shared/domain/moderation.ts';
import { reportReasons, reportStatuses, resolutionActions } from '../../shared/domain/moderation-ports.ts';
import type { reportMessage } from '../../shared/domain/reports.ts';
import { count, type Holds, message, opaqueId, type Same, time } from './wire.ts';

export const reportReceipt = z
  .object({
    reportId: opaqueId.describe("The caller's report; the same one when they report the message again."),
  })
  .meta({ id: 'ReportReceipt' });

const reportItem = z
  .object({
    reportId: opaqueId.describe('The group of all reports of this message; resolve it by this id.'),
    conversationId: opaqueId,
    messageId: opaqueId,
    reportedUserId: opaqueId.describe("The message's sender."),
    reporterCount: count.describe('How many users reported it (who they are is never shown).'),
    reasons: z.array(z.enum(reportReasons)).describe('Every reason given, once each, sorted.'),
    firstReportedAt: time.describe('The first report since the group was last opened.'),
    status: z.enum(reportStatuses),
    resolution: z
      .object({ action: z.enum(resolutionActions), by: opaqueId, at: time })
      .optional()
      .describe('Present once resolved.'),
    message: message.nullable().describe('The message as it is now; null once it expired.'),
  })
  .meta({ id: 'Report' });

export const reportPage = z
  .object({
    items: z.array(reportItem).describe('Open: the oldest first report first. Resolved: the latest first.'),
    cursor: z.string().nullable().describe('Pass it as cursor for the next page; null on the last.'),
  })
  .meta({ id: 'ReportPage' });

type Result<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
type _WireMatchesUseCases = [
  Holds<Same<z.output<typeof reportPage>, Result<typeof listReports>>>,
  Holds<Same<z.output<typeof reportReceipt>, Pick<Result<typeof reportMessage>, 'reportId'>>>,
];
