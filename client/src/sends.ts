import {
  Attachments,
  defaultUploadRetry,
  describeFile,
  type IssuedUpload,
  type UploadProgress,
} from './attachments.ts';
import { describeError } from './errors.ts';
import { defaultFileTransport } from './file-transport.ts';
import type { ChatApi } from './http-api.ts';
import {
  type ChatClientOptions,
  createClientMessageId,
  defaultAckTimeoutMs,
  defaultProbeDelayMs,
} from './options.ts';
import {
  Outbox,
  type OutboxOptions,
  type OutgoingMessage,
  type OutgoingUpload,
  pendingMessage,
} from './outbox.ts';
import type { SendOptions } from './protocol.ts';

/** What `send` takes beside the text. */
export interface MessageOptions extends SendOptions {
  /**
   * Files to upload and attach (at most 10); a `File`'s name is kept, its `type` is the content type. The
   * message shows their progress in `uploads` and goes out once all are uploaded.
   */
  attachments?: Blob[];
  /** The bytes of all the files uploaded so far, on each change (also across `retry`). */
  onProgress?: (progress: UploadProgress) => void;
}

/** A send whose files are uploading or failed to: the outbox gets it once every file is in the store. */
interface Uploading {
  message: OutgoingMessage & { uploads: OutgoingUpload[] };
  files: Blob[];
  /** The form issued for each file, kept so a retry posts to it instead of issuing another. */
  issued: (IssuedUpload | undefined)[];
  onProgress: ((progress: UploadProgress) => void) | undefined;
}

/** What the client tells the outbox; the rest of `OutboxOptions` comes from the client's options. */
type OutboxWiring = Omit<OutboxOptions, 'ackTimeoutMs' | 'probeDelayMs'>;

/**
 * The client's sends: text through the outbox, and sends with files. Such a message shows as `pending` at once
 * with its `uploads`, each file is issued and posted in turn, then the message joins the outbox with their
 * `attachmentIds`. A failed upload fails the message; `retry` resumes it where it stopped (a file in the store
 * is never uploaded again) under the same `clientMessageId`. Text sent meanwhile does not wait for the files.
 */
export class Sends {
  readonly outbox: Outbox;
  /** Uploads and downloads of single files. */
  readonly attachments: Attachments;
  private readonly createId: () => string;
  /** clientMessageId → a send still uploading, or failed while uploading. */
  private readonly uploading = new Map<string, Uploading>();
  private readonly onChange: (message: OutgoingMessage) => void;

  constructor(api: ChatApi, options: ChatClientOptions, wiring: OutboxWiring) {
    this.outbox = new Outbox({
      ...wiring,
      ackTimeoutMs: options.ackTimeoutMs ?? defaultAckTimeoutMs,
      probeDelayMs: options.probeDelayMs ?? defaultProbeDelayMs,
    });
    const transport = options.fileTransport ?? defaultFileTransport();
    this.attachments = new Attachments(api, transport, { ...defaultUploadRetry, ...options.uploadRetry });
    this.createId = options.createId ?? createClientMessageId;
    this.onChange = wiring.onChange;
  }

  send(conversationId: string, body: string, options: MessageOptions): OutgoingMessage {
    const clientMessageId = this.createId();
    const { attachments: files = [], onProgress, ...sendOptions } = options;
    if (files.length === 0) return this.outbox.add(conversationId, clientMessageId, body, sendOptions);
    const message = {
      ...pendingMessage(conversationId, clientMessageId, body, sendOptions),
      uploads: [] as OutgoingUpload[],
    };
    const sending: Uploading = { message, files, issued: files.map(() => undefined), onProgress };
    this.uploading.set(clientMessageId, sending);
    try {
      message.uploads = files.map((file) => ({ ...describeFile(file), loaded: 0 }));
    } catch (error) {
      this.update(sending, { status: 'failed', error: describeError(error) });
      return sending.message;
    }
    this.onChange(message);
    void this.uploadAll(sending);
    return message;
  }

  /** Resumes a send that failed uploading, else retries it in the outbox. */
  retry(clientMessageId: string): OutgoingMessage | undefined {
    const sending = this.uploading.get(clientMessageId);
    if (!sending) return this.outbox.retry(clientMessageId);
    if (sending.message.status !== 'failed' || sending.message.uploads.length < sending.files.length)
      return undefined;
    this.update(sending, { status: 'pending' });
    void this.uploadAll(sending);
    return sending.message;
  }

  private async uploadAll(sending: Uploading): Promise<void> {
    const { conversationId } = sending.message;
    try {
      for (const [index, file] of sending.files.entries()) {
        const upload = sending.message.uploads[index];
        if (!upload || upload.attachmentId) continue;
        let issued = sending.issued[index];
        if (!issued || !this.attachments.usable(issued)) {
          issued = await this.attachments.issue(conversationId, upload);
          sending.issued[index] = issued;
        }
        await this.attachments.post(issued, file, upload.fileName, (loaded) =>
          this.progress(sending, index, loaded),
        );
        this.setUpload(sending, index, { attachmentId: issued.attachmentId, loaded: upload.size });
      }
    } catch (error) {
      this.update(sending, { status: 'failed', error: describeError(error) });
      return;
    }
    this.uploading.delete(sending.message.clientMessageId);
    // Files uploaded before (`uploadAttachment`) and named in `attachmentIds` come first.
    const uploaded = sending.message.uploads.flatMap((upload) => upload.attachmentId ?? []);
    const attachmentIds = [...(sending.message.attachmentIds ?? []), ...uploaded];
    this.outbox.queue({ ...sending.message, attachmentIds });
  }

  /** Every report goes to `onProgress` (the first, 0, says the upload started); a change also to `outgoing`. */
  private progress(sending: Uploading, index: number, loaded: number): void {
    if (sending.message.uploads[index]?.loaded !== loaded) this.setUpload(sending, index, { loaded });
    const { uploads } = sending.message;
    sending.onProgress?.({
      loaded: uploads.reduce((sum, upload) => sum + upload.loaded, 0),
      total: uploads.reduce((sum, upload) => sum + upload.size, 0),
    });
  }

  private setUpload(sending: Uploading, index: number, change: Partial<OutgoingUpload>): void {
    const uploads = sending.message.uploads.map((upload, i) =>
      i === index ? { ...upload, ...change } : upload,
    );
    this.update(sending, { uploads });
  }

  /** Each change is a new object, as the outbox does it, so an app can compare them. */
  private update(sending: Uploading, change: Partial<Uploading['message']>): void {
    const next = { ...sending.message, ...change };
    if (change.status === 'pending') delete next.error;
    sending.message = next;
    this.onChange(next);
  }
}
