/**
 * Image previews: the thumbnail maker, invoked by S3 for each upload (`ObjectCreated` under `attachments/`, so a
 * preview written under `thumbnails/` never triggers it), with bounded retries of S3's asynchronous invoke and
 * a dead-letter queue of the uploads it still failed on. The one function that ships sharp (`installSharp`).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { attachmentPrefix } from '../../shared/domain/attachment-ports.ts';
import type { FunctionSpec } from '../../shared/shape/routes.ts';
import { installSharp } from '../bundling.ts';
import { alarmOver } from './alarms.ts';
import type { ChatFunctions } from './chat-functions.ts';

export interface ThumbnailsProps {
  readonly functions: ChatFunctions;
  /** The thumbnail maker's route-table entry. */
  readonly maker: FunctionSpec;
}

/** Declared in `scope` itself, like the other parts of the stack. */
export class Thumbnails {
  readonly maker: IFunction;
  readonly deadLetters: Queue;

  constructor(
    private readonly scope: Construct,
    props: ThumbnailsProps,
  ) {
    this.deadLetters = new Queue(scope, 'ThumbnailDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Decoding and resizing are CPU-bound, and Lambda's CPU scales with memory: a 25 MiB photo needs both.
    this.maker = props.functions.add(props.maker, {
      memorySize: 1024,
      timeout: Duration.minutes(1),
      afterBundling: installSharp,
    });
    // S3 invokes asynchronously: two more tries, then the event (bucket and key) goes to the dead letters. An
    // upload no preview was made for still downloads; only its `hasThumbnail` stays false.
    this.maker.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.deadLetters),
    });
  }

  /** Makes a preview of each object uploaded to `bucket` under `attachments/`. */
  makeOnUpload(bucket: IBucket): void {
    bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.maker), {
      prefix: attachmentPrefix,
    });
    // Named as it resolves in the stack's environment (a concrete partition once the region is known).
    const stack = Stack.of(this.scope);
    const basicExecution = ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole');
    Validations.of(stack).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM4[Policy::${flattenCfnReference(stack.resolve(basicExecution.managedPolicyArn))}]`,
      reason:
        "CDK's bucket-notifications handler, the custom resource that sets the bucket's notification at deploy time: the managed policy lets it write its logs.",
    });
  }

  /** Alarms when an upload's event was dead-lettered (its preview failed three times, or waited over an hour). */
  alarmOn(topic: ITopic): void {
    alarmOver(this.scope, 'ThumbnailDeadLettersAlarm', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      description:
        'Uploads were dead-lettered by the thumbnail maker: see its logs; their previews are missing',
      topic,
    });
  }
}
