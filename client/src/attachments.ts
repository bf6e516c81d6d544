import { type BackoffOptions, backoffDelay } from './backoff.ts';
import { ChatApiError } from './errors.ts';
import type { FileTransport } from './file-transport.ts';
import type { ChatApi } from './http-api.ts';

/** Bytes of a file, or of all of a message's files, sent so far. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  /** @default the File's `name`, else `file` */
  fileName?: string;
  /** One of the server's allowed types (`image/png`, `application/pdf`, ...). @default the Blob's `type` */
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  /** Aborts the upload; it then rejects and is not retried. */
  signal?: AbortSignal;
}

/** What the server records of a file, as `POST /conversations/{id}/attachments` declares it. */
export interface AttachmentFile {
  fileName: string;
  contentType: string;
  size: number;
}

export interface UploadedAttachment extends AttachmentFile {
  /** Pass it in `attachmentIds` of a send (one message only). */
  attachmentId: string;
}

/** The answer of `POST /conversations/{id}/attachments`: a presigned POST valid until `expiresAt`. */
export interface IssuedUpload {
  attachmentId: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}

/** How often and how patiently a failed upload step is tried again. */
export interface UploadRetryOptions extends BackoffOptions {
  /** Tries after the first. */
  retries: number;
}

export const defaultUploadRetry: UploadRetryOptions = { retries: 3, initialDelayMs: 1000, maxDelayMs: 8000 };

/** A form this close to its expiry is issued anew rather than posted to. */
const formExpiryMarginMs = 60_000;

/**
 * The name and type the server is told. A file without a type (an unknown extension) is refused here, since the
 * server would refuse it anyway; which types are allowed is the server's to say (`validation_failed`).
 */
export function describeFile(file: Blob, options: { fileName?: string; contentType?: string } = {}) {
  const fileName = options.fileName ?? (file as Blob & { name?: string }).name ?? 'file';
  const contentType = options.contentType ?? file.type;
  if (contentType === '')
    throw new ChatApiError(
      400,
      'validation_failed',
      `contentType: ${fileName} has no type; pass contentType`,
    );
  return { fileName, contentType, size: file.size } satisfies AttachmentFile;
}

/** Uploading a file to a conversation (issue an upload, post it to the store) and downloading one. */
export class Attachments {
  constructor(
    private readonly api: ChatApi,
    private readonly transport: FileTransport,
    private readonly retry: UploadRetryOptions,
  ) {}

  async upload(conversationId: string, file: Blob, options: UploadOptions = {}): Promise<UploadedAttachment> {
    const described = describeFile(file, options);
    const issued = await this.issue(conversationId, described, options.signal);
    const report = (loaded: number) => options.onProgress?.({ loaded, total: described.size });
    await this.post(issued, file, described.fileName, report, options.signal);
    return { attachmentId: issued.attachmentId, ...described };
  }

  /** Records the upload; tried again on network errors and 5xx. */
  issue(conversationId: string, file: AttachmentFile, signal?: AbortSignal): Promise<IssuedUpload> {
    const { fileName, contentType, size } = file;
    const declared = { fileName, contentType, size };
    return this.withRetries(() => this.api.createAttachmentUpload(conversationId, declared), signal);
  }

  /** Whether a form from `issue` may still be posted to. */
  usable(issued: IssuedUpload, now = Date.now()): boolean {
    return Date.parse(issued.expiresAt) - formExpiryMarginMs > now;
  }

  /**
   * Posts the file to the store; tried again when the store is unreachable or answers 5xx. Rejects with
   * `upload_failed` (its `status` the store's, 0 when unreachable) once the tries are used up or on a 4xx.
   */
  async post(
    issued: IssuedUpload,
    file: Blob,
    fileName: string,
    onProgress: (loaded: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const { url, fields } = issued.upload;
    await this.withRetries(async () => {
      const status = await this.transport
        .post({ url, fields, file, fileName, onProgress, ...(signal ? { signal } : {}) })
        .catch((error: unknown) => {
          if (signal?.aborted) throw error;
          throw uploadFailed(fileName, 0, `the object store is unreachable (${errorText(error)})`);
        });
      if (status >= 300) throw uploadFailed(fileName, status, `the object store answered ${status}`);
    }, signal);
  }

  /** The file's bytes (or its preview's); `not_found` while it is not uploaded or the preview is not ready. */
  download(conversationId: string, attachmentId: string, variant?: 'thumbnail'): Promise<Blob> {
    return this.api.attachmentFile(conversationId, attachmentId, variant, this.transport.get);
  }

  private async withRetries<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (tries >= this.retry.retries || signal?.aborted || !transient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(tries, this.retry)));
      }
    }
  }
}

/** Network failures and server errors may pass; a 4xx would be answered again. */
function transient(error: unknown): boolean {
  return !(error instanceof ChatApiError) || error.status === 0 || error.status >= 500;
}

function uploadFailed(fileName: string, status: number, why: string): ChatApiError {
  return new ChatApiError(status, 'upload_failed', `${fileName} could not be uploaded: ${why}`);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
