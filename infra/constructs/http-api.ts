/** The HTTP API: JWT authorizer, CORS, the `$default` stage with access logs, the shared route table's routes. */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { HttpRoute } from '../../shared/shape/routes.ts';
import type { ChatFunctions } from './chat-functions.ts';

export interface ChatHttpApiProps {
  /** The issuer whose tokens the JWT authorizer accepts. */
  readonly issuer: string;
  /** The accepted `aud` (or `client_id`) values. */
  readonly audiences: readonly string[];
  /** Origins allowed by CORS. */
  readonly corsOrigins: readonly string[];
  /** Steady-state requests per second and burst of the stage. */
  readonly throttle: ThrottleSettings;
  /** Retention of the access log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the access log group when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Makes one function per route. */
  readonly functions: ChatFunctions;
  /** The routes to serve, each behind the JWT authorizer. */
  readonly routes: readonly HttpRoute[];
}

/**
 * Conversations, history, inbox, unread and presence over HTTP. Declared in `scope` itself (no scope of its own),
 * so its resources keep the logical ids that deployed stacks have.
 */
export class ChatHttpApi {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, props: ChatHttpApiProps) {
    this.api = new HttpApi(scope, 'HttpApi', {
      description: 'Chat: conversations, history, inbox, unread, presence',
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('JwtAuthorizer', props.issuer, {
        jwtAudience: [...props.audiences],
      }),
      corsPreflight: {
        allowOrigins: [...props.corsOrigins],
        allowHeaders: ['authorization', 'content-type'],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
        ],
        maxAge: Duration.hours(1),
      },
    });
    this.stage = new HttpStage(scope, 'HttpStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(scope, 'HttpAccessLogs', {
            retention: props.logRetention,
            removalPolicy: props.removalPolicy,
          }),
        ),
      },
    });
    for (const route of props.routes) {
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, props.functions.add(route)),
      });
    }
  }
}
