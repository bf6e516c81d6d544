/**
 * The context of the functions that touch attachment objects but sign nothing: the sends (check and tag an
 * upload they claim), the deletions (remove their message's objects) and the thumbnail function. Only these functions' bundles and the
 * signing ones (`signing-context.ts`) carry the S3 client; it is made on first use, so a plain text send never
 * needs the bucket.
 */
import { attachmentsBucket, createS3Client, S3AttachmentObjects } from '../attachments/s3-objects.ts';
import type { AttachmentObjects } from '../domain/attachment-ports.ts';
import type { ChatContext } from '../domain/context.ts';
import { chatContext } from './composition-root.ts';

let objects: S3AttachmentObjects | undefined;
const store = () => {
  objects ??= new S3AttachmentObjects(createS3Client(), attachmentsBucket());
  return objects;
};
const lazyObjects: AttachmentObjects = {
  inspect: (key) => store().inspect(key),
  read: (key, maxBytes) => store().read(key, maxBytes),
  writePreview: (key, preview, attached) => store().writePreview(key, preview, attached),
  markAttached: (key) => store().markAttached(key),
  markPending: (key) => store().markPending(key),
  delete: (keys) => store().delete(keys),
};

/** `base` (the container's context by default) with the S3 object store. */
export function withAttachmentObjects(base: () => ChatContext = chatContext): () => ChatContext {
  return () => ({ ...base(), attachmentObjects: lazyObjects });
}
