/**
 * S3 `ObjectCreated` under `attachments/` (asynchronous, retried twice by Lambda, then the dead-letter queue):
 * makes each uploaded image's preview. An invocation fails only to be tried again, when a message names the
 * upload but is not stored yet.
 */
import type { S3Event } from 'aws-lambda';
import { SharpPreviews } from '../../shared/attachments/sharp-previews.ts';
import { makePreview, uploadOfKey } from '../../shared/domain/previews.ts';
import { withAttachmentObjects } from '../../shared/handlers/attachment-context.ts';
import { adapterChain } from '../../shared/handlers/chain.ts';
import { logger } from '../../shared/observability.ts';

const context = withAttachmentObjects();
const renderer = new SharpPreviews();

/** S3 puts the key in an event URL-encoded, with spaces as `+`. */
const keyOf = (record: S3Event['Records'][number]) =>
  decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));

export const handler = adapterChain<S3Event, void>().handler(async (event: S3Event) => {
  for (const record of event.Records) {
    const upload = uploadOfKey(keyOf(record));
    if (!upload) continue;
    const outcome = await makePreview(context(), renderer, upload);
    logger.info('Preview', { ...upload, outcome });
  }
});
