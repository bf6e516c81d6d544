/** POST /devices: register a push token (the same token again answers the same device). */
import { registerDevice } from '../../shared/domain/devices.ts';
import { registerDeviceBody } from '../../shared/domain/push-schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId, body }, ctx) => {
  const { device, created } = await registerDevice(ctx, { userId, ...parseInput(registerDeviceBody, body) });
  return { statusCode: created ? 201 : 200, body: device };
});
