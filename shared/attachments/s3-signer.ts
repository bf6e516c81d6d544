/**
 * Signs the attachment uploads (a presigned POST whose policy pins the key, the exact content type, the pending
 * tag and a size range) and downloads (a presigned GET that overrides the response's type and disposition).
 * Only the functions that issue uploads or answer downloads carry it.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AttachmentSigner, UploadForm } from '../domain/attachment-ports.ts';
import { uploadStateTag } from './s3-objects.ts';

/** The tag set of a new upload, as the POST's `tagging` field carries it. */
const pendingTagging = `<Tagging><TagSet><Tag><Key>${uploadStateTag.key}</Key><Value>${uploadStateTag.pending}</Value></Tag></TagSet></Tagging>`;

type Options<K extends keyof AttachmentSigner> = Parameters<AttachmentSigner[K]>[0];

export class S3AttachmentSigner implements AttachmentSigner {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async uploadForm({
    key,
    contentType,
    maxBytes,
    expiresInSeconds,
  }: Options<'uploadForm'>): Promise<UploadForm> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, maxBytes],
        ['eq', '$Content-Type', contentType],
        ['eq', '$tagging', pendingTagging],
      ],
      Fields: { 'Content-Type': contentType, tagging: pendingTagging },
      Expires: expiresInSeconds,
    });
    return { url, fields };
  }

  async downloadUrl(options: Options<'downloadUrl'>): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: options.key,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: options.contentDisposition,
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }
}
