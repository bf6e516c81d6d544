/**
 * The attachment objects in S3: the client (the endpoint from `AWS_ENDPOINT_URL_S3`, path-style where
 * `S3_FORCE_PATH_STYLE=1`, as the local server needs), the ranged GET a send checks an upload with, the whole read
 * and the preview write of the thumbnail function, the tag that takes an attached object out of the
 * unattached-upload lifecycle rule, and deletion with its message.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { requireEnv } from '../config.ts';
import type { AttachmentObjects, RenderedPreview, StoredObject } from '../domain/attachment-ports.ts';
import { signatureBytes } from '../domain/attachment-signatures.ts';

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
const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isMissing = (error: unknown) => statusOf(error) === 404 || statusOf(error) === 403;

export class S3AttachmentObjects implements AttachmentObjects {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * One ranged GET, the cost of a HEAD: the type, the whole size (from `Content-Range`) and the first bytes. An
   * empty object cannot satisfy a range (416): it answers size 0.
   */
  async inspect(key: string): Promise<StoredObject | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${signatureBytes - 1}` }),
      );
      const leadingBytes = (await answer.Body?.transformToByteArray()) ?? new Uint8Array();
      const total = /\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1];
      const size = total === undefined ? (answer.ContentLength ?? leadingBytes.length) : Number(total);
      return { size, contentType: answer.ContentType ?? '', leadingBytes };
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (statusOf(error) === 416) return { size: 0, contentType: '', leadingBytes: new Uint8Array() };
      throw error;
    }
  }

  async read(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if ((answer.ContentLength ?? 0) > maxBytes) {
        await answer.Body?.transformToWebStream().cancel();
        return undefined;
      }
      return (await answer.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async writePreview(key: string, preview: RenderedPreview, attached: boolean): Promise<void> {
    const state = attached ? uploadStateTag.attached : uploadStateTag.pending;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: preview.bytes,
        ContentType: preview.contentType,
        Tagging: `${uploadStateTag.key}=${state}`,
      }),
    );
  }

  markAttached(key: string): Promise<void> {
    return this.tag(key, uploadStateTag.attached);
  }

  markPending(key: string): Promise<void> {
    return this.tag(key, uploadStateTag.pending);
  }

  private async tag(key: string, state: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectTaggingCommand({
          Bucket: this.bucket,
          Key: key,
          Tagging: { TagSet: [{ Key: uploadStateTag.key, Value: state }] },
        }),
      );
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))),
    );
  }
}
