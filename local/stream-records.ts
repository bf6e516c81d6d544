/**
 * Stream records as the consumer gets them: in Lambda's shape, and held back until a delay after their creation, as the DynamoDB Streams → Lambda hop holds them in
 * AWS (p50 about 200 ms). DynamoDB Local stamps `ApproximateCreationDateTime` to the minute, so a record's
 * creation time here is when the poller read it: at most one poll interval after the write.
 */
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

interface HeldRecord {
  record: DynamoDBRecord;
  dueAt: number;
}

export class StreamHold {
  private readonly held = new Map<string, HeldRecord[]>();

  constructor(
    private readonly delayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records just read from a shard, in shard order. */
  add(shardId: string, records: DynamoDBRecord[]): void {
    const dueAt = this.now() + this.delayMs;
    const queue = this.held.get(shardId) ?? [];
    for (const record of records) queue.push({ record, dueAt });
    this.held.set(shardId, queue);
  }

  /** The oldest records of the shard whose time has come (at most `limit`), taken out of the hold. */
  takeDue(shardId: string, limit: number): DynamoDBRecord[] {
    const queue = this.held.get(shardId) ?? [];
    const now = this.now();
    let count = 0;
    while (count < queue.length && count < limit && (queue[count] as HeldRecord).dueAt <= now) count++;
    return queue.splice(0, count).map((held) => held.record);
  }

  /** Milliseconds until the next held record is due (0 when one is due now); undefined when none is held. */
  untilNextDue(): number | undefined {
    let next: number | undefined;
    for (const queue of this.held.values()) {
      const first = queue[0];
      if (first && (next === undefined || first.dueAt < next)) next = first.dueAt;
    }
    return next === undefined ? undefined : Math.max(0, next - this.now());
  }
}

/** A record as the SDK returns it, in the shape Lambda passes to a stream consumer. */
export function toLambdaRecord(streamArn: string) {
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
