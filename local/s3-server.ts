/**
 * A real S3-compatible server for the attachments (s3rver, a dev dependency, run in this process) on a free
 * loopback port, keeping its objects in a temporary folder removed at stop (or in `directory`, kept, beside the
 * runtime's data), with the attachments bucket made at start. The functions reach it through `AWS_ENDPOINT_URL_S3`, path-style, with the same presign code as in AWS.
 * It does not enforce a presigned POST's policy (see the README's "Attachments"): the checks a send makes of
 * the stored object are the guarantee that holds here too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  httpServer?: Server;
  close(): Promise<void>;
  on(event: 'event', listener: (notification: S3Notification) => void): void;
}

/** An S3 event notification as s3rver makes it: AWS's shape, the key not yet URL-encoded. */
export interface S3Notification {
  Records: {
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number } };
  }[];
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
/** s3rver's one account; it knows only its own access key unless told another (SigV4 itself it does not check). */
interface S3rverAccounts {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

export interface LocalS3Server {
  /** `http://127.0.0.1:<port>`, what `AWS_ENDPOINT_URL_S3` takes. */
  endpoint: string;
  bucket: string;
  /** Calls `listener` with each notification of a stored or deleted object. */
  onNotification(listener: (notification: S3Notification) => void): void;
  stop(): Promise<void>;
}

/** Lets the demo page (another origin than the bucket) POST its uploads and fetch the downloads. */
const corsConfiguration = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule></CORSConfiguration>`;

export async function startS3Server(options: {
  /** The access key the functions sign with. */
  accessKeyId: string;
  secretAccessKey: string;
  bucket?: string;
  /** Keep the objects here across restarts. @default a temporary folder, removed at stop */
  directory?: string;
}): Promise<LocalS3Server> {
  const bucket = options.bucket ?? 'chat-attachments-local';
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as S3rverConstructor;
  (require('s3rver/lib/models/account.js') as S3rverAccounts).DUMMY_ACCOUNT.createKeyPair(
    options.accessKeyId,
    options.secretAccessKey,
  );
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'chat-s3-')));
  const removeDirectory = () =>
    options.directory ? Promise.resolve() : rm(directory, { recursive: true, force: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [corsConfiguration] }],
  });
  try {
    const { port } = await server.run();
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      onNotification: (listener) => server.on('event', listener),
      async stop() {
        server.httpServer?.closeAllConnections();
        await server.close();
        await removeDirectory();
      },
    };
  } catch (error) {
    await removeDirectory();
    throw error;
  }
}
