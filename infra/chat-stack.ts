/**
 * The chat backend, as wiring: one table, the identity, the WebSocket and HTTP APIs from the shared route table,
 * the stream fan-out and its operations. Each part declares its resources in this stack's own scope, so logical
 * ids are those of the stack as first deployed (a new scope would rename, and so replace, the table).
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { httpRoutes } from '../shared/shape/http-routes.ts';
import {
  eventPublisher,
  fanOutConsumer,
  pushWorker,
  thumbnailMaker,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../shared/shape/routes.ts';
import { scheduledFunctions } from '../shared/shape/scheduled.ts';
import type { ChatStackConfig } from './config.ts';
import { Attachments } from './constructs/attachments.ts';
import { ChatFunctions } from './constructs/chat-functions.ts';
import { ChatIdentity } from './constructs/chat-identity.ts';
import { ChatTable } from './constructs/chat-table.ts';
import { configureContentFilter } from './constructs/content-filter.ts';
import { DomainEvents } from './constructs/domain-events.ts';
import { HotStateCache } from './constructs/hot-state-cache.ts';
import { ChatHttpApi } from './constructs/http-api.ts';
import { Operations } from './constructs/operations.ts';
import { PushNotifications } from './constructs/push.ts';
import { RealtimeApi } from './constructs/realtime-api.ts';
import { ScheduledFunctions } from './constructs/scheduled-functions.ts';
import { StreamFanOut } from './constructs/stream-fan-out.ts';
import { Thumbnails } from './constructs/thumbnails.ts';
import { acknowledgeReviewedFindings } from './reviewed-findings.ts';

export interface ChatStackProps extends StackProps {
  /** What `readConfig` read from the CDK context. */
  readonly config: ChatStackConfig;
}

export class ChatStack extends Stack {
  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as RetentionDays;
    const throttle = { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit };

    const { table } = new ChatTable(this, { deletionProtection: config.deletionProtection, removalPolicy });
    const identity = new ChatIdentity(this, { identity: config.identity, removalPolicy });
    const realtime = new RealtimeApi(this, {
      stageName: config.stage,
      throttle,
      logRetention,
      removalPolicy,
      localstack: config.localstack,
    });
    // Connections and presence, typing and rate limits on Valkey: the functions are built for it and told where.
    const hotState =
      config.hotState.backend === 'elasticache'
        ? new HotStateCache(this, 'HotState', { stage: config.stage, ...config.hotState, removalPolicy })
        : undefined;
    const functions = new ChatFunctions(this, {
      table,
      connections: realtime.connections,
      settings: config.settings,
      logRetention,
      removalPolicy,
      ...(hotState ? { hotState } : {}),
    });
    const { issuer, audiences } = identity;
    realtime.addRoutes({
      functions,
      issuer,
      audiences,
      routes: webSocketRoutes,
      authorizer: webSocketAuthorizer,
    });
    const http = new ChatHttpApi(this, {
      issuer,
      audiences,
      corsOrigins: config.corsOrigins,
      throttle,
      logRetention,
      removalPolicy,
      functions,
      routes: httpRoutes,
    });
    const fanOut = new StreamFanOut(this, {
      table,
      functions,
      consumer: fanOutConsumer,
      ...(config.fanOutReservedConcurrency === undefined
        ? {}
        : { reservedConcurrency: config.fanOutReservedConcurrency }),
    });
    // Closes connections whose token expired (quiet ones: a frame after exp is refused by its own route).
    new ScheduledFunctions(this, { functions, specs: scheduledFunctions });
    // Push jobs queued by the deliveries of new messages, sent by the push worker through SNS.
    const push = new PushNotifications(this, {
      functions,
      worker: pushWorker,
      queuers: [...webSocketRoutes, ...httpRoutes, fanOutConsumer].filter((spec) => spec.access.queuesPushes),
      platformApplications: config.pushPlatformApplications,
    });
    // Domain events for other teams' rules: the stream's second consumer puts them on the ChatEvents bus.
    const events = new DomainEvents(this, {
      busName: `chat-${config.stage}`,
      table,
      functions,
      publisher: eventPublisher,
      publishers: [...webSocketRoutes, ...httpRoutes, eventPublisher].filter(
        (spec) => spec.access.publishesEvents,
      ),
    });
    // The word list (and Comprehend, when on) reviewing what the sends and the edit store.
    configureContentFilter({
      functions,
      filterers: [...webSocketRoutes, ...httpRoutes].filter((spec) => spec.access.filtersContent),
      config: config.contentFilter,
    });
    // Attachments go straight between clients and this bucket; the functions sign, check and delete, and each
    // upload triggers its preview.
    const thumbnails = new Thumbnails(this, { functions, maker: thumbnailMaker });
    const attachments = new Attachments(this, {
      functions,
      specs: [...webSocketRoutes, ...httpRoutes, thumbnailMaker],
      corsOrigins: config.corsOrigins,
      messageRetentionDays: config.settings.messageRetentionDays,
      removalPolicy,
    });
    thumbnails.makeOnUpload(attachments.bucket);
    const operations = new Operations(this, {
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      reportAgeAlarmHours: config.reportAgeAlarmHours,
      functions: functions.all,
      fanOut: fanOut.consumer,
      deadLetters: fanOut.deadLetters,
      httpApiId: http.api.apiId,
      webSocketApiId: realtime.api.apiId,
      stage: config.stage,
    });
    push.alarmOn(operations.alarmTopic);
    events.alarmOn(operations.alarmTopic);
    thumbnails.alarmOn(operations.alarmTopic);
    hotState?.monitor({ topic: operations.alarmTopic, dashboard: operations.dashboard });

    // From each API's own endpoint attribute rather than a URL built from AWS's naming, so that LocalStack,
    // which serves WebSocket APIs on a port of their own, answers the address that really works there.
    new CfnOutput(this, 'WebSocketUrl', { value: `${realtime.api.apiEndpoint}/${config.stage}` });
    new CfnOutput(this, 'HttpApiUrl', { value: `${http.api.apiEndpoint}/${config.stage}` });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: fanOut.deadLetters.queueUrl });
    new CfnOutput(this, 'PushQueueUrl', { value: push.queue.queueUrl });
    new CfnOutput(this, 'PushDeadLetterQueueUrl', { value: push.deadLetters.queueUrl });
    new CfnOutput(this, 'EventBusName', { value: events.bus.eventBusName });
    new CfnOutput(this, 'EventDeadLetterQueueUrl', { value: events.deadLetters.queueUrl });
    new CfnOutput(this, 'AttachmentsBucketName', { value: attachments.bucket.bucketName });
    new CfnOutput(this, 'ThumbnailDeadLetterQueueUrl', { value: thumbnails.deadLetters.queueUrl });
    if (hotState) {
      new CfnOutput(this, 'HotStateCacheName', { value: hotState.cacheName });
      new CfnOutput(this, 'HotStateEndpoint', { value: hotState.endpoint });
    }
    if (identity.userPool && identity.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: identity.userPoolClient.userPoolClientId });
    }
    acknowledgeReviewedFindings(this, {
      table,
      connections: realtime.connections,
      identity: config.identity,
      pushEndpoints: push.endpoints,
    });
  }
}
