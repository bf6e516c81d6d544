/** GET /moderation/reports: report groups by status (open: the oldest first), moderators only. */
import { listReports } from '../../shared/domain/moderation.ts';
import { reportListQuery } from '../../shared/domain/moderation-schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, groups, query }, ctx) => {
  const page = parseInput(reportListQuery, query);
  return { statusCode: 200, body: await listReports(ctx, { caller: { userId, groups }, ...page }) };
});
