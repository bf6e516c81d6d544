/** PUT /blocks/{userId}: block a user (again is a no-op). */
import { blockUser } from '../../shared/domain/blocks.ts';
import { userPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path }, ctx) => {
  const target = parseInput(userPath, path);
  await blockUser(ctx, { userId, targetId: target.userId });
  return { statusCode: 204 };
});
