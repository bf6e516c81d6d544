/**
 * Domain events: the custom event bus teams hook rules, archives and API destinations to, the publisher (the
 * table stream's second consumer, with its own mapping, position and dead letters, so it never holds back the
 * fan-out), and `events:PutEvents` on that bus for exactly the functions whose access says `publishesEvents`.
 */
import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/shape/routes.ts';
import { eventPublisherFilterPatterns } from '../../shared/shape/table.ts';
import { alarmOver } from './alarms.ts';
import type { ChatFunctions } from './chat-functions.ts';
import { streamDeadLetterQueue, tableStreamSource } from './stream-fan-out.ts';

export interface DomainEventsProps {
  /** The bus's name, which other teams' rules name (one stack per stage, so `chat-<stage>`). */
  readonly busName: string;
  readonly table: ITable;
  readonly functions: ChatFunctions;
  /** The publisher's route-table entry. */
  readonly publisher: FunctionSpec;
  /** The entries whose functions put events on the bus (their access says `publishesEvents`). */
  readonly publishers: readonly FunctionSpec[];
}

/** How far behind the stream the publisher may fall before it alarms: events are late, not lost, until then. */
const iteratorAgeThresholdMs = 5 * 60_000;

/** Declared in `scope` itself, like the other parts of the stack. */
export class DomainEvents {
  readonly bus: EventBus;
  readonly publisher: IFunction;
  readonly deadLetters: Queue;

  constructor(
    private readonly scope: Construct,
    props: DomainEventsProps,
  ) {
    this.bus = new EventBus(scope, 'ChatEvents', { eventBusName: props.busName });
    this.deadLetters = streamDeadLetterQueue(scope, 'EventDeadLetters');
    this.publisher = props.functions.add(props.publisher, { timeout: Duration.minutes(1) });
    this.publisher.addEventSource(
      tableStreamSource(props.table, {
        filterPatterns: eventPublisherFilterPatterns,
        deadLetters: this.deadLetters,
        // An event late is better than none: the stream keeps records 24 hours, and only this position waits.
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
      }),
    );
    const publishers = new Set(props.publishers.map((spec) => spec.name));
    for (const chat of props.functions.all) {
      if (!publishers.has(chat.node.id)) continue;
      chat.function.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
      this.bus.grantPutEventsTo(chat.function);
    }
  }

  /** Alarms when the publisher falls behind the stream, and when records were dead-lettered (events lost). */
  alarmOn(topic: ITopic): void {
    const alarm = (id: string, metric: Metric, threshold: number, description: string) =>
      alarmOver(this.scope, id, { metric, threshold, description, topic });
    const period = Duration.minutes(1);
    alarm(
      'EventPublisherIteratorAgeAlarm',
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: this.publisher.functionName },
        statistic: 'Maximum',
        period,
      }),
      iteratorAgeThresholdMs,
      'Domain events are more than 5 minutes behind the table stream (EventBridge refusing? see EventPublisher logs)',
    );
    alarm(
      'EventDeadLettersAlarm',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period }),
      0,
      'Stream records of domain events were dead-lettered: their events were not published',
    );
  }
}
