/**
 * The stream consumer: the table's message records, delivered to connections, failures dead-lettered. Its dead
 * letter queue and mapping are made by the functions below, which every consumer of the table's stream shares.
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/shape/routes.ts';
import { fanOutFilterPatterns } from '../../shared/shape/table.ts';
import type { ChatFunctions } from './chat-functions.ts';

/** Where a consumer's records go when they still fail (SQS keeps where they are in the stream, 14 days). */
export function streamDeadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

export interface TableStreamSourceProps {
  /** The mapping's filter criteria (`shared/shape/table.ts`, which the local stream poller uses too). */
  readonly filterPatterns: readonly object[];
  readonly deadLetters: IQueue;
  /** Tries of a failing batch (bisected) before its records are dead-lettered. */
  readonly retryAttempts: number;
  /** A record older than this is dead-lettered rather than tried again. */
  readonly maxRecordAge: Duration;
  /** Concurrent batches per shard; records of one key stay in order. @default 1 */
  readonly parallelizationFactor?: number;
}

/**
 * A mapping of the table's stream as each consumer has it: from the newest record, 100 records a batch with no
 * batching window, partial batch failures, bisection of a failing batch, bounded retries, then dead letters.
 */
export function tableStreamSource(table: ITable, props: TableStreamSourceProps): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.LATEST,
    batchSize: 100,
    maxBatchingWindow: Duration.millis(0),
    parallelizationFactor: props.parallelizationFactor ?? 1,
    reportBatchItemFailures: true,
    bisectBatchOnError: true,
    retryAttempts: props.retryAttempts,
    maxRecordAge: props.maxRecordAge,
    onFailure: new SqsDlq(props.deadLetters),
    filters: props.filterPatterns.map((pattern) => FilterCriteria.filter(pattern as Record<string, unknown>)),
  });
}

export interface StreamFanOutProps {
  /** The table whose stream is consumed. */
  readonly table: ITable;
  /** Makes the consumer. */
  readonly functions: ChatFunctions;
  /** The consumer's route-table entry. */
  readonly consumer: FunctionSpec;
  /** Reserved concurrency of the consumer, so a runaway cannot starve the account. @default none */
  readonly reservedConcurrency?: number;
}

/**
 * The consumer, its event source mapping (filtered to message records, partial batch failures, bisection) and
 * the dead-letter queue of records that still fail. Declared in `scope` itself (no scope of its own), so its
 * resources keep the logical ids that deployed stacks have.
 */
export class StreamFanOut {
  readonly consumer: IFunction;
  readonly deadLetters: Queue;

  constructor(scope: Construct, props: StreamFanOutProps) {
    this.deadLetters = streamDeadLetterQueue(scope, 'FanOutDeadLetters');
    this.consumer = props.functions.add(props.consumer, {
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      timeout: Duration.minutes(1),
    });
    this.consumer.addEventSource(
      tableStreamSource(props.table, {
        filterPatterns: fanOutFilterPatterns,
        deadLetters: this.deadLetters,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        // Records of one key stay in order with a parallelization factor > 1.
        parallelizationFactor: 2,
      }),
    );
  }
}
