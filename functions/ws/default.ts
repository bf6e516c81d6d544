/** `$default`: frames that are not JSON or name no known action get an `error` event. */
import { validationFailed } from '../../shared/errors.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';

export const handler = webSocketHandler(async ({ frame }) => {
  if (frame.action === undefined) throw validationFailed('action', 'is required');
  throw validationFailed('action', `unknown action ${JSON.stringify(frame.action).slice(0, 64)}`);
});
