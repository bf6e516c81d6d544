/** GET /devices: one's devices, without their tokens. */
import { listDevices } from '../../shared/domain/devices.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId }, ctx) => ({
  statusCode: 200,
  body: await listDevices(ctx, userId),
}));
