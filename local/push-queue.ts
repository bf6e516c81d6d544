/**
 * The local runtime's push queue: an SQS endpoint of one queue (the JSON protocol's `SendMessageBatch` and
 * `SendMessage`, which the functions' SQS adapter calls unchanged) and the event source mapping that feeds the
 * push worker with real SQS events, ten at a time. As in AWS, a record the worker reports in
 * `batchItemFailures` (or every record of a failed invocation) comes back after the visibility timeout, and
 * after `maxReceiveCount` receives it goes to the dead letters instead.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sleep } from '../shared/async.ts';
import type { LocalFunctions } from './lambda.ts';

interface QueuedMessage {
  messageId: string;
  body: string;
  sentAtMs: number;
  receiveCount: number;
  visibleAtMs: number;
}

export interface LocalPushQueueOptions {
  functions: LocalFunctions;
  consumerName: string;
  /** @default 1 s (the stack's is the worker's time-out, 6 × 30 s) */
  visibilityTimeoutMs?: number;
  /** @default 3, as the stack's redrive policy */
  maxReceiveCount?: number;
  pollIntervalMs?: number;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const queueArn = 'arn:aws:sqs:us-east-1:000000000000:push-jobs';
const batchSize = 10;

export class LocalPushQueue {
  /** The path the endpoint answers on; its random part keeps other local programs from queueing jobs. */
  readonly pathPrefix = `/_local/sqs/${randomBytes(16).toString('hex')}`;
  readonly deadLetters: QueuedMessage[] = [];
  private readonly messages: QueuedMessage[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: LocalPushQueueOptions) {}

  /** Serves the SQS calls to `pathPrefix`; answers whether the request was one. */
  handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith(this.pathPrefix) || req.method !== 'POST') return false;
    void this.answer(req, res);
    return true;
  };

  start(): void {
    this.running = this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      MessageBody?: string;
      Entries?: { Id: string; MessageBody: string }[];
    };
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    if (target === 'AmazonSQS.SendMessageBatch') {
      const successful = (input.Entries ?? []).map((entry) => ({
        Id: entry.Id,
        MessageId: this.push(entry.MessageBody),
        MD5OfMessageBody: md5(entry.MessageBody),
      }));
      return reply(200, { Successful: successful, Failed: [] });
    }
    if (target === 'AmazonSQS.SendMessage' && input.MessageBody !== undefined)
      return reply(200, {
        MessageId: this.push(input.MessageBody),
        MD5OfMessageBody: md5(input.MessageBody),
      });
    reply(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `Not served locally: ${target}` });
  }

  private push(body: string): string {
    const messageId = randomUUID();
    this.messages.push({ messageId, body, sentAtMs: Date.now(), receiveCount: 0, visibleAtMs: 0 });
    return messageId;
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      const batch = this.messages.filter((message) => message.visibleAtMs <= now).slice(0, batchSize);
      if (batch.length === 0) {
        await sleep(this.options.pollIntervalMs ?? 20);
        continue;
      }
      for (const message of batch) {
        message.receiveCount += 1;
        message.visibleAtMs = now + (this.options.visibilityTimeoutMs ?? 1_000);
      }
      await this.deliver(batch);
    }
  }

  private async deliver(batch: QueuedMessage[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map(recordOf) };
    let failed: Set<string>;
    try {
      const answer = (await this.options.functions.invoke(
        this.options.consumerName,
        event,
      )) as SQSBatchResponse;
      failed = new Set((answer?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      const index = this.messages.indexOf(message);
      if (!failed.has(message.messageId)) this.messages.splice(index, 1);
      else if (message.receiveCount >= (this.options.maxReceiveCount ?? 3))
        this.deadLetters.push(...this.messages.splice(index, 1));
    }
  }
}

function recordOf(message: QueuedMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAtMs),
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: md5(message.body),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}
