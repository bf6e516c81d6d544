/** GET /blocks: the users one blocks. */
import { listBlocks } from '../../shared/domain/blocks.ts';
import { httpHandler } from '../../shared/handlers/http.ts';

export const handler = httpHandler(async ({ userId }, ctx) => ({
  statusCode: 200,
  body: await listBlocks(ctx, userId),
}));
