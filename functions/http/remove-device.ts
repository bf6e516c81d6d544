/** DELETE /devices/{deviceId}: forget one of one's devices. */
import { removeDevice } from '../../shared/domain/devices.ts';
import { devicePath } from '../../shared/domain/push-schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, path }, ctx) => {
  await removeDevice(ctx, { userId, ...parseInput(devicePath, path) });
  return { statusCode: 204 };
});
