/** POST /conversations/{conversationId}/attachments: 201 with a presigned POST for exactly that file. */

import { createAttachmentBody } from '../../shared/domain/attachment-schemas.ts';
import { createUpload } from '../../shared/domain/attachments.ts';
import { conversationPath } from '../../shared/domain/schemas.ts';
import { parseInput } from '../../shared/domain/validate.ts';
import { httpHandler } from '../../shared/handlers/http.ts';
import { signingContext } from '../../shared/handlers/signing-context.ts';

export const handler = httpHandler(
  async ({ userId, path, body }, ctx) => {
    const { conversationId } = parseInput(conversationPath, path);
    const upload = await createUpload(ctx, {
      userId,
      conversationId,
      ...parseInput(createAttachmentBody, body),
    });
    return { statusCode: 201, body: upload };
  },
  { context: signingContext },
);
