/** The WebSocket API: stage, access logs, the `$connect` authorizer and the routes of the shared route table. */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  type CfnAuthorizer,
  LogGroupLogDestination,
  type ThrottleSettings,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  type FunctionSpec,
  routeSelectionExpression,
  type WebSocketRoute,
} from '../../shared/shape/routes.ts';
import type { ConnectionsTarget } from './chat-function.ts';
import type { ChatFunctions } from './chat-functions.ts';

export interface RealtimeApiProps {
  /** Name of the API's stage, also the last path segment of its URL. */
  readonly stageName: string;
  /** Steady-state requests per second and burst of the stage. */
  readonly throttle: ThrottleSettings;
  /** Retention of the access log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the access log group when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Functions reach `@connections` through LocalStack's execute-api host name instead of AWS's. @default false */
  readonly localstack?: boolean;
}

export interface RealtimeRoutesProps {
  /** Makes the authorizer and the route functions. */
  readonly functions: ChatFunctions;
  /** The issuer whose tokens the `$connect` authorizer accepts. */
  readonly issuer: string;
  /** The accepted `aud` (or `client_id`) values. */
  readonly audiences: readonly string[];
  /** The routes to serve, each with a function of its own. */
  readonly routes: readonly WebSocketRoute[];
  /** The `$connect` authorizer's function. */
  readonly authorizer: FunctionSpec;
}

/**
 * Real-time traffic. The API exists before its routes (`addRoutes`) because the route functions are given its
 * `@connections` address. Declared in `scope` itself (no scope of its own), so its resources keep the logical ids
 * that deployed stacks have.
 */
export class RealtimeApi {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** What functions that post to connections are granted and given. */
  readonly connections: ConnectionsTarget;

  constructor(scope: Construct, props: RealtimeApiProps) {
    this.api = new WebSocketApi(scope, 'WebSocketApi', {
      routeSelectionExpression,
      description: 'Chat: real-time traffic',
    });
    this.stage = new WebSocketStage(scope, 'WebSocketStage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(scope, 'WebSocketAccessLogs', {
            retention: props.logRetention,
            removalPolicy: props.removalPolicy,
          }),
        ),
      },
    });
    this.connections = {
      postArn: Stack.of(scope).formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${props.stageName}/POST/@connections/*`,
      }),
      deleteArn: Stack.of(scope).formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${props.stageName}/DELETE/@connections/*`,
      }),
      endpoint: props.localstack
        ? `http://${this.api.apiId}.execute-api.localhost.localstack.cloud:4566/${props.stageName}`
        : this.stage.callbackUrl,
    };
  }

  /** The authorizer on `$connect`, then one function and integration per route. */
  addRoutes(props: RealtimeRoutesProps): void {
    const { functions } = props;
    const authorizerFunction: IFunction = functions.add(props.authorizer, {
      environment: {
        ...functions.environment,
        JWT_ISSUER: props.issuer,
        JWT_AUDIENCE: props.audiences.join(','),
      },
      timeout: Duration.seconds(10),
    });
    const connectAuthorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizerFunction);
    for (const route of props.routes) {
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.name}Integration`, functions.add(route)),
        ...(route.routeKey === '$connect' ? { authorizer: connectAuthorizer } : {}),
      });
    }
    // No identity source: API Gateway then always runs the authorizer, which takes the token from `?token=` or
    // from `Sec-WebSocket-Protocol` (an identity source would refuse one of the two before the Lambda runs).
    const cfnAuthorizer = this.api.node
      .findAll()
      .find((c) => (c as CfnAuthorizer).cfnResourceType === 'AWS::ApiGatewayV2::Authorizer');
    (cfnAuthorizer as CfnAuthorizer | undefined)?.addPropertyDeletionOverride('IdentitySource');
  }
}
