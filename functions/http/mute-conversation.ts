/** PUT /conversations/{conversationId}/mute: no pushes for it, until `until` or until unmuted. */
import { muteConversation } from '../../shared/domain/devices.ts';
import { muteBody } from '../../shared/domain/push-schemas.ts';
import { conversationPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path, body }, ctx) => {
  const { conversationId } = parseInput(conversationPath, path);
  await muteConversation(ctx, { userId, conversationId, ...parseInput(muteBody, body) });
  return { statusCode: 204 };
});
