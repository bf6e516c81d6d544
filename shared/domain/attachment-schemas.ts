/** Input schemas of the attachment routes (a send's `attachmentIds` are in schemas.ts). */
import * as z from 'zod/mini';
import { id } from './schemas.ts';

/** The type is checked against the allow-list by the use case, which names the allowed ones. */
export const createAttachmentBody = z.object({
  fileName: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(1_024)),
  contentType: z.string().check(z.maxLength(255)),
  size: z.number().check(z.int('must be an integer'), z.gte(1, 'must be >= 1')),
});

export const attachmentPath = z.object({ conversationId: id, attachmentId: id });

/** `variant=thumbnail` asks for an image's preview: 404 until it is made (and always for other files). */
export const attachmentQuery = z.object({ variant: z.optional(z.literal('thumbnail')) });
