/** The local stream's hold: records reach the consumer a delay after they were read, in shard order. */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { StreamHold } from '../../../local/stream-records.ts';

const record = (sequenceNumber: string): DynamoDBRecord => ({ dynamodb: { SequenceNumber: sequenceNumber } });
const sequenceNumbers = (records: DynamoDBRecord[]) => records.map((r) => r.dynamodb?.SequenceNumber);

describe('StreamHold', () => {
  it('gives nothing before the delay has passed since the read, then the records in order', () => {
    let now = 1_000;
    const hold = new StreamHold(200, () => now);
    hold.add('shard', [record('1'), record('2')]);
    now = 1_199;
    expect(hold.takeDue('shard', 100)).toEqual([]);
    expect(hold.untilNextDue()).toBe(1);
    now = 1_200;
    expect(sequenceNumbers(hold.takeDue('shard', 100))).toEqual(['1', '2']);
    expect(hold.untilNextDue()).toBeUndefined();
  });

  it('waits once per record: a later read is due later, not after the earlier batch plus the delay again', () => {
    let now = 0;
    const hold = new StreamHold(200, () => now);
    hold.add('shard', [record('1')]);
    now = 150;
    hold.add('shard', [record('2')]);
    now = 200;
    expect(sequenceNumbers(hold.takeDue('shard', 100))).toEqual(['1']);
    expect(hold.untilNextDue()).toBe(150);
    now = 350;
    expect(sequenceNumbers(hold.takeDue('shard', 100))).toEqual(['2']);
  });

  it('answers at most a batch at a time, and keeps shards apart', () => {
    const hold = new StreamHold(0);
    hold.add('a', [record('1'), record('2'), record('3')]);
    hold.add('b', [record('9')]);
    expect(sequenceNumbers(hold.takeDue('a', 2))).toEqual(['1', '2']);
    expect(sequenceNumbers(hold.takeDue('a', 2))).toEqual(['3']);
    expect(sequenceNumbers(hold.takeDue('b', 2))).toEqual(['9']);
  });
});
