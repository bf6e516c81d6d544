/**
 * Reads DynamoDB Local's stream and invokes the consumer with real `DynamoDBStreamEvent` batches, like the
 * deployed event source mapping: the same filter criteria, batches in shard order, `batchItemFailures` honoured
 * (the batch is retried from the first failed record), bounded retries, then the records go to a dead-letter
 * list (the SQS queue in AWS). With a checkpoint file it resumes where it stopped, as a mapping does: the last
 * sequence number handled per shard is written after each batch, and a restart reads on after it. With a
 * delay, each record is held until that long after it was read while the poller reads on, so records wait once.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { matchesFilter } from './filter-pattern.ts';
import type { LocalFunctions } from './lambda.ts';
import { StreamHold, toLambdaRecord } from './stream-records.ts';

export interface StreamPollerOptions {
  endpoint: string;
  streamArn: string;
  functions: LocalFunctions;
  consumerName: string;
  filterPatterns: readonly object[];
  /** Pause between polls of an idle shard. */
  pollIntervalMs: number;
  batchSize: number;
  /** Retries of a failing batch before its failing records are dead-lettered (the mapping's retryAttempts). */
  maxRetries: number;
  /** Where to start when there is no checkpoint: the oldest record, or the newest. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /**
   * A file keeping the last sequence number handled per shard (the event source mapping's checkpoint); a
   * restart reads on after it, so records written while the poller was down are delivered.
   */
  checkpointFile?: string;
  /** Hold each record this long after it was read before the consumer gets it (AWS's stream hop). @default 0 */
  delayMs?: number;
}

interface Checkpoint {
  streamArn: string;
  /** shardId → the sequence number of the last record handled. */
  shards: Record<string, string>;
}

export interface DeadLetter {
  record: DynamoDBRecord;
  reason: string;
}

export class StreamPoller {
  readonly deadLetters: DeadLetter[] = [];
  /** Batches the consumer was invoked with, records filtered out before invoking. */
  readonly stats = { batches: 0, records: 0, filteredOut: 0 };
  private readonly client: DynamoDBStreamsClient;
  private readonly iterators = new Map<string, string | undefined>();
  private running = true;
  private loop: Promise<void> | undefined;
  private readonly checkpoint: Checkpoint;
  private readonly hold: StreamHold;

  constructor(private readonly options: StreamPollerOptions) {
    this.client = new DynamoDBStreamsClient({ endpoint: options.endpoint });
    this.checkpoint = this.readCheckpoint();
    this.hold = new StreamHold(options.delayMs ?? 0);
  }

  private readCheckpoint(): Checkpoint {
    const empty = { streamArn: this.options.streamArn, shards: {} };
    if (!this.options.checkpointFile) return empty;
    try {
      const stored = JSON.parse(readFileSync(this.options.checkpointFile, 'utf8')) as Checkpoint;
      // A checkpoint of another stream (the table was made again) says nothing about this one.
      return stored.streamArn === this.options.streamArn ? stored : empty;
    } catch {
      return empty;
    }
  }

  /** Written whole to a new file and renamed over the old, so a crash never leaves half a checkpoint. */
  private saveCheckpoint(shardId: string, sequenceNumber: string): void {
    this.checkpoint.shards[shardId] = sequenceNumber;
    const file = this.options.checkpointFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(this.checkpoint));
    renameSync(`${file}.tmp`, file);
  }

  private async iteratorFor(shardId: string, fallback: 'TRIM_HORIZON' | 'LATEST') {
    const after = this.checkpoint.shards[shardId];
    if (after) {
      try {
        const answer = await this.client.send(
          new GetShardIteratorCommand({
            StreamArn: this.options.streamArn,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            SequenceNumber: after,
          }),
        );
        return answer.ShardIterator;
      } catch (error) {
        // Trimmed since (or not a sequence number of this shard): read on from the oldest record left.
        console.error(
          `Stream poller: cannot resume shard ${shardId} after its checkpoint: ${(error as Error).message}`,
        );
        fallback = 'TRIM_HORIZON';
      }
    }
    const answer = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ShardIteratorType: fallback,
      }),
    );
    return answer.ShardIterator;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async discoverShards(): Promise<void> {
    const description = await this.client.send(
      new DescribeStreamCommand({ StreamArn: this.options.streamArn }),
    );
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || this.iterators.has(shard.ShardId)) continue;
      // Shards that appear later are read from their start; the first ones from the configured position.
      const type =
        this.iterators.size === 0 && this.options.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
      this.iterators.set(shard.ShardId, await this.iteratorFor(shard.ShardId, type));
    }
  }

  private async run(): Promise<void> {
    let lastDiscovery = 0;
    while (this.running) {
      try {
        if (Date.now() - lastDiscovery > 5_000) {
          await this.discoverShards();
          lastDiscovery = Date.now();
        }
        let sawRecords = false;
        for (const [shardId, iterator] of this.iterators) {
          if (!iterator) continue;
          const page = await this.client
            .send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }))
            .catch(async (error: unknown) => {
              // Records trimmed before they were read are gone; an event source mapping then goes on from the
              // oldest record left, and so does this (rather than asking with the same iterator forever).
              if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
              console.error(
                `Stream poller: records of shard ${shardId} were trimmed; reading on from the oldest`,
              );
              const answer = await this.client.send(
                new GetShardIteratorCommand({
                  StreamArn: this.options.streamArn,
                  ShardId: shardId,
                  ShardIteratorType: 'TRIM_HORIZON',
                }),
              );
              return { Records: [], NextShardIterator: answer.ShardIterator };
            });
          const records = (page.Records ?? []).map(toLambdaRecord(this.options.streamArn));
          if (records.length > 0) sawRecords = true;
          this.hold.add(shardId, records);
          this.iterators.set(shardId, page.NextShardIterator);
        }
        for (const shardId of this.iterators.keys()) await this.deliverDue(shardId);
        if (!sawRecords) {
          await pause(Math.min(this.options.pollIntervalMs, this.hold.untilNextDue() ?? Infinity));
        }
      } catch (error) {
        if (!this.running) return;
        console.error('Stream poller error:', (error as Error).message);
        await pause(1_000);
      }
    }
  }

  /** Delivers the shard's records whose time has come, a batch at a time, moving the checkpoint past each. */
  private async deliverDue(shardId: string): Promise<void> {
    for (;;) {
      const records = this.hold.takeDue(shardId, this.options.batchSize);
      if (records.length === 0) return;
      await this.deliver(records);
      // Handled (delivered or dead-lettered): the checkpoint moves past the batch.
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) this.saveCheckpoint(shardId, last);
    }
  }

  private async deliver(records: DynamoDBRecord[]): Promise<void> {
    const matching = records.filter((record) =>
      this.options.filterPatterns.some((p) => matchesFilter(p, record)),
    );
    this.stats.filteredOut += records.length - matching.length;
    let pending = matching;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const failedFrom = await this.invoke(pending);
      if (failedFrom === undefined) return;
      pending = pending.slice(failedFrom);
      if (attempt >= this.options.maxRetries) {
        for (const record of pending) this.deadLetters.push({ record, reason: 'retries exhausted' });
        console.error(
          `Stream poller: ${pending.length} record(s) dead-lettered after ${attempt + 1} attempts`,
        );
        return;
      }
      await pause(Math.min(1_000, 50 * 2 ** attempt));
    }
  }

  /** Invokes the consumer; answers the index of the first failed record, or undefined when all succeeded. */
  private async invoke(records: DynamoDBRecord[]): Promise<number | undefined> {
    this.stats.batches++;
    this.stats.records += records.length;
    try {
      const response = (await this.options.functions.invoke(this.options.consumerName, {
        Records: records,
      })) as DynamoDBBatchResponse | undefined;
      const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      if (failed.size === 0) return undefined;
      const index = records.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
      return index === -1 ? 0 : index;
    } catch {
      return 0; // the whole batch failed
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
