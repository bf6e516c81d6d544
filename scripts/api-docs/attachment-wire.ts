/** The response shape of an issued upload, checked against the use case's result like wire.ts's. */
import { z } from 'zod';
import type { createUpload } from '../../shared/domain/attachments.ts';
import { type Holds, opaqueId, type Same, time } from './wire.ts';

export const issuedUpload = z
  .object({
    attachmentId: opaqueId.describe('Name it in attachmentIds of a send once the file is uploaded.'),
    upload: z
      .object({
        url: z.string().describe('POST a multipart form here: every field, then the file as `file`.'),
        fields: z.record(z.string(), z.string()).describe('The form fields, in order, before the file.'),
      })
      .describe('A presigned POST: it accepts only the declared content type, at most the declared size.'),
    expiresAt: time.describe('The form is refused after this.'),
  })
  .meta({ id: 'IssuedUpload' });

type _WireMatchesUseCase = Holds<
  Same<z.output<typeof issuedUpload>, Awaited<ReturnType<typeof createUpload>>>
>;
