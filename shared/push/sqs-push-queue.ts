/** Push jobs on SQS: one message per job, sent ten to a `SendMessageBatch`, read back by the push worker. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PushJob, PushQueue } from '../domain/ports.ts';

/** SQS's most entries in one batch. */
const maxBatchEntries = 10;

export class SqsPushQueue implements PushQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(jobs: PushJob[]): Promise<void> {
    for (let start = 0; start < jobs.length; start += maxBatchEntries) {
      const entries = jobs.slice(start, start + maxBatchEntries).map((job, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(job),
      }));
      const answer = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      // A batch answers per entry: any entry refused fails the delivery, which is retried as a whole.
      if ((answer.Failed ?? []).length > 0)
        throw new Error(`SQS refused ${answer.Failed?.length} push jobs: ${answer.Failed?.[0]?.Code}`);
    }
  }
}

/** Where no queue is configured (a test's context, a tool): push jobs go nowhere. */
export const noPushQueue: PushQueue = { enqueue: async () => undefined };

/** A job read back from its SQS message body. */
export function parsePushJob(body: string): PushJob {
  const job = JSON.parse(body) as PushJob;
  if (!job?.message?.conversationId || !Array.isArray(job.recipientIds)) throw new Error('Not a push job');
  return job;
}
