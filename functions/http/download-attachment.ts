/**
 * GET /conversations/{conversationId}/attachments/{attachmentId}[?variant=thumbnail]: 302 to a short-lived
 * download link of the file or its preview.
 */

import { attachmentDownloadUrl } from '../../shared/domain/attachment-downloads.ts';
import { attachmentPath, attachmentQuery } from '../../shared/domain/attachment-schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { signingContext } from '../../shared/handlers/signing-context.ts';

export const handler = httpHandler(
  async ({ userId, path, query }, ctx) => {
    const location = await attachmentDownloadUrl(ctx, {
      userId,
      ...parseInput(attachmentPath, path),
      ...parseInput(attachmentQuery, query),
    });
    // Never cached: the link expires, and membership may change.
    return { statusCode: 302, headers: { location, 'cache-control': 'no-store' } };
  },
  { context: signingContext },
);
