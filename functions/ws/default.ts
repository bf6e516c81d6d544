/** `$default`: frames that are not JSON or name no known action get an `error` event. */
import { validationFailed } from '../../shared/errors.ts';
import { webSocketHandler } from '../../shared/handlers/websocket.ts';

export const handler = webSocketHandler(async ({ frame }) => {
  if (frame.action === undefined) throw validationFailed('action', 'is required');
  // Only a string action is echoed (bounded): stringifying an attacker's deeply nested value overflows the stack.
  const shown =
    typeof frame.action === 'string'
      ? JSON.stringify(frame.action.slice(0, 64))
      : `of type ${frame.action === null ? 'null' : Array.isArray(frame.action) ? 'array' : typeof frame.action}`;
  throw validationFailed('action', `unknown action ${shown}`);
});
