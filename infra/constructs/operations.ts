/** Dashboard and alarms on what means trouble: errors, dead letters, a stream falling behind, API 5xx. */
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { metricNames, metricsNamespace, serviceName } from '../../shared/observability.ts';
import { alarmOver } from './alarms.ts';
import type { ChatFunction } from './chat-function.ts';

export interface OperationsProps {
  /** Subscribed to the alarm topic when set. @default none */
  readonly alarmEmail?: string;
  /** Every function of the stack: one errors alarm each, and their sum on the dashboard. */
  readonly functions: readonly ChatFunction[];
  /** The stream consumer, whose iterator age says how far behind the stream it is. */
  readonly fanOut: IFunction;
  /** The fan-out's dead-letter queue. */
  readonly deadLetters: IQueue;
  /** The HTTP API (its `$default` stage) whose 4xx and 5xx are watched. */
  readonly httpApiId: string;
  /** The WebSocket API whose client and integration errors are watched. */
  readonly webSocketApiId: string;
  /** The WebSocket API's stage; the dashboard is named `chat-<stage>`. */
  readonly stage: string;
  /** Hours the oldest open report may wait before its alarm fires. */
  readonly reportAgeAlarmHours: number;
}

const period = Duration.minutes(1);

/**
 * An SNS alarm topic, the alarms and a dashboard. Declared in `scope` itself (no scope of its own), so they keep
 * the logical ids that deployed stacks have.
 */
export class Operations {
  readonly alarmTopic: Topic;
  /** Further parts of the stack add their own rows (the hot-state cache). */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, props: OperationsProps) {
    const { functions } = props;
    this.alarmTopic = new Topic(scope, 'AlarmTopic', { enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const custom = (metricName: string, statistic = 'Sum', metricPeriod = period) =>
      new Metric({
        namespace: metricsNamespace,
        metricName,
        dimensionsMap: { service: serviceName },
        statistic,
        period: metricPeriod,
      });
    const iteratorAge = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensionsMap: { FunctionName: props.fanOut.functionName },
      statistic: 'Maximum',
      period,
    });
    const deadLetterDepth = props.deadLetters.metricApproximateNumberOfMessagesVisible({ period });
    const functionErrors = new MathExpression({
      expression: functions.map((_, i) => `e${i}`).join('+'),
      usingMetrics: Object.fromEntries(
        functions.map((f, i) => [`e${i}`, f.function.metricErrors({ period })]),
      ),
      label: 'Errors (all functions)',
      period,
    });
    const apiMetric = (dimensionsMap: Record<string, string>) => (metricName: string) =>
      new Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap, statistic: 'Sum', period });
    const httpMetric = apiMetric({ ApiId: props.httpApiId, Stage: '$default' });
    const webSocketMetric = apiMetric({ ApiId: props.webSocketApiId, Stage: props.stage });

    const alarm = (id: string, metric: Metric | MathExpression, threshold: number, description: string) =>
      alarmOver(scope, id, { metric, threshold, description, topic: this.alarmTopic });
    // One alarm per function: it names the failing function, and alarms cannot sum more than 10 metrics.
    for (const chat of functions) {
      alarm(
        `${chat.node.id}ErrorsAlarm`,
        chat.function.metricErrors({ period }),
        0,
        `${chat.node.id} failed (see its logs by correlation id)`,
      );
    }
    alarm(
      'DeadLettersAlarm',
      deadLetterDepth,
      0,
      'Stream records were dead-lettered: see the DLQ redrive procedure',
    );
    alarm('IteratorAgeAlarm', iteratorAge, 60_000, 'The fan-out is more than a minute behind the stream');
    alarm('HttpApi5xxAlarm', httpMetric('5xx'), 5, 'The HTTP API answered 5xx');
    alarm('WebSocketErrorsAlarm', webSocketMetric('IntegrationError'), 5, 'WebSocket integrations failed');
    // Published every 5 minutes by the ReportAge function; its failures raise that function's errors alarm.
    const reportAge = custom(metricNames.oldestOpenReportAge, 'Maximum', Duration.minutes(5));
    alarm(
      'ReportAgeAlarm',
      reportAge,
      props.reportAgeAlarmHours * 3600,
      `A report has waited over ${props.reportAgeAlarmHours} h: act on it within 24 h (GET /moderation/reports)`,
    );

    this.dashboard = new Dashboard(scope, 'Dashboard', {
      dashboardName: `chat-${props.stage}`,
      widgets: [
        [
          new GraphWidget({
            title: 'Messages',
            left: [custom(metricNames.messagesSent), custom(metricNames.deliveries)],
          }),
          new GraphWidget({
            title: 'Delivery latency (ms)',
            left: [custom(metricNames.deliveryLatency, 'p50'), custom(metricNames.deliveryLatency, 'p99')],
          }),
          new GraphWidget({
            title: 'Delivery problems',
            left: [
              custom(metricNames.connectionsPruned),
              custom(metricNames.deliveryRetries),
              custom(metricNames.deliveryFailures),
            ],
          }),
        ],
        [
          new GraphWidget({ title: 'Function errors', left: [functionErrors] }),
          new GraphWidget({ title: 'Stream iterator age (ms)', left: [iteratorAge] }),
          new GraphWidget({
            title: 'Dead letters',
            left: [deadLetterDepth, custom(metricNames.streamRecordsFailed)],
          }),
          new GraphWidget({
            title: 'API errors',
            left: [
              httpMetric('4xx'),
              httpMetric('5xx'),
              webSocketMetric('ClientError'),
              webSocketMetric('IntegrationError'),
            ],
          }),
        ],
        [
          new GraphWidget({
            title: 'Moderation',
            left: [
              custom(metricNames.reportsFiled),
              custom(metricNames.messagesRemoved),
              custom(metricNames.usersSuspended),
              // Counted per refusing rule (a `rule` dimension): summed over the rules.
              new MathExpression({
                expression: `SUM(SEARCH('{${metricsNamespace},rule,service} MetricName="${metricNames.messagesFiltered}"', 'Sum', 60))`,
                label: metricNames.messagesFiltered,
                period,
              }),
            ],
          }),
          new GraphWidget({ title: 'Oldest open report (s)', left: [reportAge] }),
          new GraphWidget({
            title: 'Domain events',
            left: [custom(metricNames.eventsPublished), custom(metricNames.eventsFailed)],
          }),
        ],
      ],
    });
  }
}
