/**
 * The attachment objects in S3: the client (the endpoint from `AWS_ENDPOINT_URL_S3`, path-style where
 * `S3_FORCE_PATH_STYLE=1`, as the local server needs), the HEAD a send checks an upload with, the tag that takes
 * an attached object out of the unattached-upload lifecycle rule, and deletion with its message.
 */
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { requireEnv } from '../config.ts';
import type { AttachmentObjects, StoredObject } from '../domain/attachment-ports.ts';

export function createS3Client(): S3Client {
  return new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === '1' });
}

/** The bucket every attachment function is given. */
export const attachmentsBucket = () => requireEnv('ATTACHMENTS_BUCKET');

/** The tag an upload carries until a message claims it; the bucket expires objects carrying it after a day. */
export const uploadStateTag = { key: 'state', pending: 'pending', attached: 'attached' } as const;

/**
 * A missing key answers 404, or 403 to a caller without `s3:ListBucket` (which no function is granted, so
 * none can list uploads): both mean nothing is stored there for this caller.
 */
const isMissing = (error: unknown) => {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 || status === 403;
};

export class S3AttachmentObjects implements AttachmentObjects {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: answer.ContentLength ?? 0, contentType: answer.ContentType ?? '' };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async markAttached(key: string): Promise<void> {
    await this.client.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: key,
        Tagging: { TagSet: [{ Key: uploadStateTag.key, Value: uploadStateTag.attached }] },
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))),
    );
  }
}
