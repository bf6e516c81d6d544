/**
 * Push notifications: the queue of push jobs (with its dead-letter queue), the push worker consuming it with
 * partial batch failures, the queue's senders (the functions whose access says `queuesPushes`), and the worker's
 * SNS access: exactly the endpoint calls of `SnsPushSender` on the configured platform applications and their
 * endpoints. Without platform applications the worker gets no SNS access and sends nothing.
 */
import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PushPlatform } from '../../shared/domain/ports.ts';
import type { FunctionSpec } from '../../shared/shape/routes.ts';
import { alarmOver } from './alarms.ts';
import type { ChatFunctions } from './chat-functions.ts';

export interface PushNotificationsProps {
  readonly functions: ChatFunctions;
  /** The worker's route-table entry. */
  readonly worker: FunctionSpec;
  /** The entries whose functions queue push jobs. */
  readonly queuers: readonly FunctionSpec[];
  /** SNS platform application ARNs (APNs token auth, FCM HTTP v1), each optional. */
  readonly platformApplications: Partial<Record<PushPlatform, string>>;
}

/** The worker's time-out; SQS hides a received job for six of them, as Lambda advises. */
const workerTimeout = Duration.seconds(30);
/** Receives of a job before it is dead-lettered. */
const pushMaxReceiveCount = 3;

/** The ARN pattern of an application's endpoints: `…:app/APNS/name` → `…:endpoint/APNS/name/*`. */
function endpointsOf(scope: Construct, application: string): string {
  const parts = Arn.split(application, ArnFormat.SLASH_RESOURCE_NAME);
  return Arn.format(
    { ...parts, resource: 'endpoint', resourceName: `${parts.resourceName}/*` },
    Stack.of(scope),
  );
}

/** Declared in `scope` itself, like the other parts of the stack. */
export class PushNotifications {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly worker: IFunction;
  /** The endpoint ARN patterns the worker is granted (none without platform applications). */
  readonly endpoints: string[];

  constructor(
    private readonly scope: Construct,
    props: PushNotificationsProps,
  ) {
    const { apns, fcm } = props.platformApplications;
    this.deadLetters = new Queue(scope, 'PushDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(scope, 'PushJobs', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(workerTimeout.toSeconds() * 6),
      // A push a day late is worse than none.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: pushMaxReceiveCount },
    });
    this.worker = props.functions.add(props.worker, {
      timeout: workerTimeout,
      environment: {
        ...props.functions.environment,
        ...(apns ? { APNS_PLATFORM_APPLICATION_ARN: apns } : {}),
        ...(fcm ? { FCM_PLATFORM_APPLICATION_ARN: fcm } : {}),
      },
    });
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      }),
    );
    const applications = [apns, fcm].filter((arn): arn is string => arn !== undefined);
    this.endpoints = applications.map((application) => endpointsOf(scope, application));
    if (applications.length > 0) {
      this.worker.addToRolePolicy(
        new PolicyStatement({ actions: ['sns:CreatePlatformEndpoint'], resources: applications }),
      );
      this.worker.addToRolePolicy(
        new PolicyStatement({
          actions: [
            'sns:Publish',
            'sns:GetEndpointAttributes',
            'sns:SetEndpointAttributes',
            'sns:DeleteEndpoint',
          ],
          resources: this.endpoints,
        }),
      );
    }
    const queuers = new Set(props.queuers.map((spec) => spec.name));
    for (const chat of props.functions.all) {
      if (!queuers.has(chat.node.id)) continue;
      chat.function.addEnvironment('PUSH_QUEUE_URL', this.queue.queueUrl);
      this.queue.grantSendMessages(chat.function);
    }
  }

  /** Alarms when a job was dead-lettered (its pushes failed `pushMaxReceiveCount` times). */
  alarmOn(topic: ITopic): void {
    alarmOver(this.scope, 'PushDeadLettersAlarm', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      description: 'Push jobs were dead-lettered: see the push worker logs, then redrive the push DLQ',
      topic,
    });
  }
}
