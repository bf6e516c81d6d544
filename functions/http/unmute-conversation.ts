/** DELETE /conversations/{conversationId}/mute: pushes again. */
import { unmuteConversation } from '../../shared/domain/devices.ts';
import { conversationPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path }, ctx) => {
  await unmuteConversation(ctx, { userId, ...parseInput(conversationPath, path) });
  return { statusCode: 204 };
});
