/**
 * Reads DynamoDB Local's stream and invokes the consumer with real `DynamoDBStreamEvent` batches, like the
 * deployed event source mapping: the same filter criteria, batches in shard order, `batchItemFailures` honoured
 * (the batch is retried from the first failed record), bounded retries, then the records go to a dead-letter
 * list (the SQS queue in AWS).
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { matchesFilter } from './filter-pattern.ts';
import type { LocalFunctions } from './lambda.ts';

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
  /** Start at the oldest record (a fresh table) or at the newest (a kept data folder). */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
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

  constructor(private readonly options: StreamPollerOptions) {
    this.client = new DynamoDBStreamsClient({ endpoint: options.endpoint });
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
      const answer = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: type,
        }),
      );
      this.iterators.set(shard.ShardId, answer.ShardIterator);
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
          this.iterators.set(shardId, page.NextShardIterator);
          const records = (page.Records ?? []).map(toLambdaRecord(this.options.streamArn));
          if (records.length > 0) sawRecords = true;
          await this.deliver(records);
        }
        if (!sawRecords) await pause(this.options.pollIntervalMs);
      } catch (error) {
        if (!this.running) return;
        console.error('Stream poller error:', (error as Error).message);
        await pause(1_000);
      }
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

/** A record as the SDK returns it, in the shape Lambda passes to a stream consumer. */
function toLambdaRecord(streamArn: string) {
  return (record: StreamRecord): DynamoDBRecord => {
    const { dynamodb } = record;
    return {
      eventID: record.eventID,
      eventName: record.eventName as DynamoDBRecord['eventName'],
      eventVersion: record.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion,
      eventSourceARN: streamArn,
      dynamodb: {
        ...(dynamodb as DynamoDBRecord['dynamodb']),
        ApproximateCreationDateTime: dynamodb?.ApproximateCreationDateTime
          ? Math.floor(dynamodb.ApproximateCreationDateTime.getTime() / 1000)
          : Math.floor(Date.now() / 1000),
      },
    };
  };
}
