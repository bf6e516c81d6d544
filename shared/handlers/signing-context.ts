/** The context of the upload and download routes: the object store and the signer of forms and links (S3). */
import { attachmentsBucket, createS3Client, S3AttachmentObjects } from '../attachments/s3-objects.ts';
import { S3AttachmentSigner } from '../attachments/s3-signer.ts';
import type { ChatContext } from '../domain/context.ts';
import { chatContext } from './composition-root.ts';

let storage: Pick<ChatContext, 'attachmentObjects' | 'attachmentSigner'> | undefined;

export function signingContext(): ChatContext {
  if (!storage) {
    const client = createS3Client();
    const bucket = attachmentsBucket();
    storage = {
      attachmentObjects: new S3AttachmentObjects(client, bucket),
      attachmentSigner: new S3AttachmentSigner(client, bucket),
    };
  }
  return { ...chatContext(), ...storage };
}
