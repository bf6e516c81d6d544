/** The stream consumer: the table's message records, delivered to connections, failures dead-lettered. */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/shape/routes.ts';
import { fanOutFilterPatterns } from '../../shared/shape/table.ts';
import type { ChatFunctions } from './chat-functions.ts';

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
    this.deadLetters = new Queue(scope, 'FanOutDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.consumer = props.functions.add(props.consumer, {
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      timeout: Duration.minutes(1),
    });
    this.consumer.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.millis(0),
        // Records of one key stay in order with a parallelization factor > 1.
        parallelizationFactor: 2,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.deadLetters),
        filters: fanOutFilterPatterns.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );
  }
}
