/** The chat backend: one table, the WebSocket and HTTP APIs from the shared route table, the stream fan-out. */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  type CfnAuthorizer,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AccountRecovery, UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { settingsEnv } from '../shared/config.ts';
import { metricNames, metricsNamespace, serviceName } from '../shared/observability.ts';
import { fanOutConsumer, httpRoutes, webSocketAuthorizer, webSocketRoutes } from '../shared/shape/routes.ts';
import { fanOutFilterPatterns, tableDefinition } from '../shared/shape/table.ts';
import type { ChatStackConfig } from './config.ts';
import { ChatFunction, type ChatFunctionProps, type ConnectionsTarget } from './constructs/chat-function.ts';

export interface ChatStackProps extends StackProps {
  config: ChatStackConfig;
}

export class ChatStack extends Stack {
  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as RetentionDays;

    const table = new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[tableDefinition.streamViewType],
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: config.deletionProtection,
      removalPolicy,
    });
    for (const index of tableDefinition.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    const identity = this.identity(config, removalPolicy);
    const webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      routeSelectionExpression: '$request.body.action',
      description: 'Chat: real-time traffic',
    });
    const webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi,
      stageName: config.stage,
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          this.logGroup('WebSocketAccessLogs', logRetention, removalPolicy),
        ),
      },
    });
    const connections: ConnectionsTarget = {
      postArn: this.formatArn({
        service: 'execute-api',
        resource: webSocketApi.apiId,
        resourceName: `${config.stage}/POST/@connections/*`,
      }),
      endpoint: config.localstack
        ? `http://${webSocketApi.apiId}.execute-api.localhost.localstack.cloud:4566/${config.stage}`
        : webSocketStage.callbackUrl,
    };

    const settings = Object.fromEntries(
      Object.entries(settingsEnv).map(([key, name]) => [
        name,
        String(config.settings[key as keyof typeof settingsEnv]),
      ]),
    );
    const environment = {
      ...settings,
      POWERTOOLS_SERVICE_NAME: serviceName,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const functions: ChatFunction[] = [];
    const chatFunction = (spec: ChatFunctionProps['spec'], extra: Partial<ChatFunctionProps> = {}) => {
      const created = new ChatFunction(this, spec.name, {
        spec,
        table,
        connections,
        environment,
        logRetention,
        removalPolicy,
        ...extra,
      });
      functions.push(created);
      return created.function;
    };

    const authorizerFunction = chatFunction(webSocketAuthorizer, {
      environment: {
        ...environment,
        JWT_ISSUER: identity.issuer,
        JWT_AUDIENCE: identity.audiences.join(','),
      },
      timeout: Duration.seconds(10),
    });
    const connectAuthorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizerFunction);
    for (const route of webSocketRoutes) {
      webSocketApi.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.name}Integration`, chatFunction(route)),
        ...(route.routeKey === '$connect' ? { authorizer: connectAuthorizer } : {}),
      });
    }
    // No identity source: API Gateway then always runs the authorizer, which takes the token from `?token=` or
    // from `Sec-WebSocket-Protocol` (an identity source would refuse one of the two before the Lambda runs).
    const cfnAuthorizer = webSocketApi.node
      .findAll()
      .find((c) => (c as CfnAuthorizer).cfnResourceType === 'AWS::ApiGatewayV2::Authorizer');
    (cfnAuthorizer as CfnAuthorizer | undefined)?.addPropertyDeletionOverride('IdentitySource');

    const httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Chat: conversations, history, inbox, unread, presence',
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('JwtAuthorizer', identity.issuer, {
        jwtAudience: identity.audiences,
      }),
      corsPreflight: {
        allowOrigins: config.corsOrigins,
        allowHeaders: ['authorization', 'content-type'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
        maxAge: Duration.hours(1),
      },
    });
    new HttpStage(this, 'HttpStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.logGroup('HttpAccessLogs', logRetention, removalPolicy)),
      },
    });
    for (const route of httpRoutes) {
      httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, chatFunction(route)),
      });
    }

    const deadLetters = new Queue(this, 'FanOutDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const fanOut = chatFunction(fanOutConsumer, {
      ...(config.fanOutReservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: config.fanOutReservedConcurrency }),
      timeout: Duration.minutes(1),
    });
    fanOut.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.millis(0),
        // Records of one key stay in order with a parallelization factor > 1.
        parallelizationFactor: 2,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(deadLetters),
        filters: fanOutFilterPatterns.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );

    this.operations(
      config,
      functions,
      deadLetters,
      fanOut.functionName,
      httpApi.apiId,
      webSocketApi.apiId,
      config.stage,
    );

    // From each API's own endpoint attribute rather than a URL built from AWS's naming, so that LocalStack,
    // which serves WebSocket APIs on a port of their own, answers the address that really works there.
    new CfnOutput(this, 'WebSocketUrl', { value: `${webSocketApi.apiEndpoint}/${config.stage}` });
    new CfnOutput(this, 'HttpApiUrl', { value: `${httpApi.apiEndpoint}/${config.stage}` });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetters.queueUrl });
    if (identity.userPool) {
      new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: identity.audiences[0] ?? '' });
    }
    this.acknowledgeReviewedFindings(table, connections);
  }

  private logGroup(id: string, retention: RetentionDays, removalPolicy: RemovalPolicy) {
    return new LogGroup(this, id, { retention, removalPolicy });
  }

  /** A new Cognito user pool (default) or the configured OIDC issuer; the user id is the token's `sub`. */
  private identity(config: ChatStackConfig, removalPolicy: RemovalPolicy) {
    if (config.identity.kind === 'oidc')
      return { issuer: config.identity.issuer, audiences: config.identity.audiences };
    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      removalPolicy,
    });
    const client = new UserPoolClient(this, 'UserPoolClient', {
      userPool,
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
    });
    return {
      issuer: `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`,
      audiences: [client.userPoolClientId],
      userPool,
    };
  }

  /** Dashboard and alarms on what means trouble: errors, dead letters, a stream falling behind, API 5xx. */
  private operations(
    config: ChatStackConfig,
    functions: ChatFunction[],
    deadLetters: Queue,
    fanOutName: string,
    httpApiId: string,
    webSocketApiId: string,
    stage: string,
  ) {
    const topic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const alarmAction = new SnsAction(topic);
    const custom = (metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: metricsNamespace,
        metricName,
        dimensionsMap: { service: serviceName },
        statistic,
        period: Duration.minutes(1),
      });
    const lambdaMetric = (metricName: string, functionName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: functionName },
        statistic,
        period: Duration.minutes(1),
      });
    const iteratorAge = lambdaMetric('IteratorAge', fanOutName, 'Maximum');
    const deadLetterDepth = deadLetters.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
    });
    const functionErrors = new MathExpression({
      expression: functions.map((_, i) => `e${i}`).join('+'),
      usingMetrics: Object.fromEntries(
        functions.map((f, i) => [`e${i}`, f.function.metricErrors({ period: Duration.minutes(1) })]),
      ),
      label: 'Errors (all functions)',
      period: Duration.minutes(1),
    });
    const httpMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: httpApiId, Stage: '$default' },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    const webSocketMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: webSocketApiId, Stage: stage },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });

    const alarm = (id: string, metric: Metric | MathExpression, threshold: number, description: string) =>
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(alarmAction);
    // One alarm per function: it names the failing function, and alarms cannot sum more than 10 metrics.
    for (const chat of functions) {
      alarm(
        `${chat.node.id}ErrorsAlarm`,
        chat.function.metricErrors({ period: Duration.minutes(1) }),
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

    new Dashboard(this, 'Dashboard', {
      dashboardName: `chat-${stage}`,
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
      ],
    });
  }

  /**
   * cdk-nag findings reviewed and accepted, each with its reason. cdk-nag 3 matches a finding by its exact id,
   * which embeds the granted resource as it resolves in this stack's environment (a concrete account, region or
   * partition literal once the stack has one), so ids are derived from the very values granted, flattened by
   * cdk-nag's own function, rather than written out.
   */
  private acknowledgeReviewedFindings(table: Table, connections: ConnectionsTarget) {
    const wildcardResource = (arn: string) =>
      `AwsSolutions::AwsSolutions-IAM5[Resource::${flattenCfnReference(this.resolve(arn))}]`;
    const acknowledged = [
      {
        id: wildcardResource(`${table.tableArn}/index/*`),
        reason: "Reads through the table's own indexes (the inbox index); CDK grants them as table/index/*.",
      },
      {
        id: wildcardResource(connections.postArn),
        reason: "POST on this API stage's @connections only; connection ids are not known in advance.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams, which the stream event source needs, supports no resource-level permission.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-COG8',
        reason: 'The Plus feature plan (threat protection) is paid; enable it where required.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-COG2',
        reason: "MFA is the identity owner's choice; an existing OIDC issuer can replace this default pool.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          'WebSocket APIs authorize at $connect (the Lambda authorizer); later routes belong to that authorized connection.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the stream consumer.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the functions are bundled (target node22) and tested for.',
      },
    ];
    for (const finding of acknowledged) Validations.of(this).acknowledge(finding);
  }
}
