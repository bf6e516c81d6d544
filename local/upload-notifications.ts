/**
 * The attachments bucket's event notification, locally: each object the local S3 server stores under
 * `attachments/` reaches the thumbnail function as S3 sends it (an asynchronous invocation with the key
 * URL-encoded), and a failed invocation is tried twice more, as Lambda does (after 1 and 2 seconds here, where
 * AWS waits about 1 and 2 minutes), then logged as the dead-letter queue would keep it.
 */
import { attachmentPrefix } from '../shared/domain/attachment-ports.ts';
import { thumbnailMaker } from '../shared/shape/routes.ts';
import type { LocalFunctions } from './lambda.ts';
import type { S3Notification } from './s3-server.ts';

const retryDelaysMs = [1_000, 2_000];

/** S3 URL-encodes the key in its events; the separators stay. */
const encodedKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export class LocalUploadNotifications {
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly functions: LocalFunctions) {}

  /** What the bucket's notification configuration sends on: objects created under the attachments prefix. */
  notify(notification: S3Notification): void {
    const records = notification.Records.filter(
      (record) =>
        record.eventName.startsWith('ObjectCreated:') && record.s3.object.key.startsWith(attachmentPrefix),
    ).map((record) => ({
      ...record,
      s3: { ...record.s3, object: { ...record.s3.object, key: encodedKey(record.s3.object.key) } },
    }));
    if (records.length === 0 || this.stopped) return;
    const run = this.invokeWithRetries({ Records: records }).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** No new invocations; waits for those running (a pending retry is dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async invokeWithRetries(event: S3Notification): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.functions.invoke(thumbnailMaker.name, event);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || this.stopped) {
          console.error(`${thumbnailMaker.name} failed ${attempt + 1} times: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.stopped) return;
      }
    }
  }
}
