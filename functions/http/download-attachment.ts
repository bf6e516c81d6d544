/** GET /conversations/{conversationId}/attachments/{attachmentId}: 302 to a short-lived download link. */

import { attachmentPath, attachmentQuery } from '../../shared/domain/attachment-schemas.ts';
import { attachmentDownloadUrl } from '../../shared/domain/attachments.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { notFound } from '../../shared/errors.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { signingContext } from '../../shared/handlers/signing-context.ts';

export const handler = httpHandler(
  async ({ userId, path, query }, ctx) => {
    // No previews are made yet (the README lists the thumbnail function as to come).
    if (parseInput(attachmentQuery, query).variant === 'thumbnail') throw notFound('thumbnail');
    const location = await attachmentDownloadUrl(ctx, { userId, ...parseInput(attachmentPath, path) });
    // Never cached: the link expires, and membership may change.
    return { statusCode: 302, headers: { location, 'cache-control': 'no-store' } };
  },
  { context: signingContext },
);
