/** Input schemas of the push routes (devices and mutes), in `zod/mini` like `schemas.ts`. */
import * as z from 'zod/mini';
import { id } from './schemas.ts';

/** APNs tokens are 64 hex digits today, FCM registration tokens about 160 characters; both well under this. */
const maxTokenLength = 4_096;

export const registerDeviceBody = z.object({
  platform: z.enum(['apns', 'fcm']),
  token: z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(maxTokenLength),
      z.regex(/^[A-Za-z0-9_:.-]+$/, 'must be a push token (A-Z a-z 0-9 _ : . -)'),
    ),
});
export const devicePath = z.object({ deviceId: id });
export const muteBody = z.object({ until: z.optional(z.iso.datetime({ offset: true })) });
