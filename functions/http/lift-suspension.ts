/** DELETE /moderation/suspensions/{userId}: a moderator lifts a suspension (none is a no-op). */
import { userPath } from '../../shared/domain/schemas.ts';
import { liftSuspension } from '../../shared/domain/suspensions.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, groups, path }, ctx) => {
  const target = parseInput(userPath, path);
  await liftSuspension(ctx, { caller: { userId, groups }, userId: target.userId });
  return { statusCode: 204 };
});
