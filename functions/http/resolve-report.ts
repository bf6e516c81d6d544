/** POST /moderation/reports/{reportId}/resolve: records what a moderator did about a report. */
import { resolveReport } from '../../shared/domain/moderation.ts';
import { reportPath, resolveReportBody } from '../../shared/domain/moderation-schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, groups, path, body }, ctx) => {
  const { reportId } = parseInput(reportPath, path);
  const { action } = parseInput(resolveReportBody, body);
  await resolveReport(ctx, { caller: { userId, groups }, reportId, action });
  return { statusCode: 204 };
});
