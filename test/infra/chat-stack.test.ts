import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineChatApp } from '../../infra/chat-app.ts';
import { readConfig } from '../../infra/config.ts';
import { tableGrantOf } from '../../infra/table-access.ts';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import {
  eventPublisher,
  type FunctionSpec,
  fanOutConsumer,
  pushWorker,
  routeSelectionExpression,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../../shared/shape/routes.ts';
import { fanOutFilterPatterns, tableDefinition } from '../../shared/shape/table.ts';
import { cdkApp } from '../support/cdk-app.ts';
import {
  chatFunctionsOf,
  type Resources,
  resourcesOfType,
  type Statement,
  statementsOf as statementsOfFunction,
} from '../support/stack-template.ts';

let app: App;
let template: Template;
let resources: Resources;
const allFunctions = allFunctionSpecs;

beforeAll(() => {
  // Not bundled: nothing here reads a function's code, and the bundles are built and checked by the bundle-size
  // and LocalStack deploy tests (bundling all functions took about 100 s of this file's 120).
  app = cdkApp({ stage: 'dev' }, { bundle: false });
  const stack = defineChatApp(app);
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 180_000);

const ofType = (type: string) => resourcesOfType(resources, type);
const actionsOf = (statement: Statement) => [statement.Action].flat();
/** The policy statements of the role of one function of the route table. */
const statementsOf = (spec: FunctionSpec) => statementsOfFunction(resources, spec.name);

/** A function's DynamoDB actions by what they are granted on: the base table, its indexes, its stream. */
function dynamoActionsOf(spec: FunctionSpec) {
  const on = { table: new Set<string>(), index: new Set<string>(), stream: new Set<string>() };
  for (const statement of statementsOf(spec)) {
    const dynamo = actionsOf(statement).filter((action) => action.startsWith('dynamodb:'));
    for (const resource of [statement.Resource].flat()) {
      const text = JSON.stringify(resource);
      const target = text.includes('/index/*')
        ? on.index
        : text.includes('StreamArn') || text === '"*"'
          ? on.stream
          : text === '{"Fn::GetAtt":["TableCD117FA1","Arn"]}'
            ? on.table
            : undefined;
      for (const action of dynamo) {
        if (!target) throw new Error(`${spec.name} has ${action} on ${text}`);
        target.add(action);
      }
    }
  }
  const sorted = (actions: Set<string>) => [...actions].sort();
  return { table: sorted(on.table), index: sorted(on.index), stream: sorted(on.stream) };
}

const typingRoute = webSocketRoutes.find((route) => route.routeKey === 'typing') as FunctionSpec;

describe('the table', () => {
  it('is on-demand with the shared keys, index, TTL, a new-and-old-images stream, PITR and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map(({ indexName }) =>
        Match.objectLike({ IndexName: indexName, Projection: { ProjectionType: 'ALL' } }),
      ),
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('logical ids', () => {
  it('keeps those of the stack as first deployed for what holds data or identities (a new id replaces it)', () => {
    expect(
      Object.fromEntries(
        ['TableCD117FA1', 'UserPool6BA7E5F2', 'UserPoolClient2F5918F7', 'FanOutDeadLetters3B54A3EC'].map(
          (id) => [id, resources[id]?.Type],
        ),
      ),
    ).toEqual({
      TableCD117FA1: 'AWS::DynamoDB::Table',
      UserPool6BA7E5F2: 'AWS::Cognito::UserPool',
      UserPoolClient2F5918F7: 'AWS::Cognito::UserPoolClient',
      FanOutDeadLetters3B54A3EC: 'AWS::SQS::Queue',
    });
  });
});

describe('the functions', () => {
  it('has one Node.js 22 arm64 function per route-table entry', () => {
    const functions = chatFunctionsOf(resources);
    expect(functions).toHaveLength(allFunctions.length);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
  });

  it('keeps every log group for a limited time', () => {
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });
});

describe('the WebSocket API', () => {
  it('wires every route of the route table, with the Lambda authorizer on $connect only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: routeSelectionExpression,
    });
    for (const route of webSocketRoutes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: route.routeKey,
        AuthorizationType: route.routeKey === '$connect' ? 'CUSTOM' : 'NONE',
        Target: Match.anyValue(),
      });
    }
  });

  it('runs the authorizer on every connect, so the token may come in the query or the subprotocol', () => {
    const [, authorizer] =
      ofType('AWS::ApiGatewayV2::Authorizer').find(([, a]) => a.Properties.AuthorizerType === 'REQUEST') ??
      [];
    expect(authorizer?.Properties.IdentitySource).toBeUndefined();
  });

  it('throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'dev',
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }),
    });
  });
});

describe('the HTTP API', () => {
  it('serves every HTTP route of the route table behind the JWT authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    for (const route of httpRoutes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        AuthorizationType: 'JWT',
      });
    }
  });

  it('has no route or setting of the local development issuer', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('_local');
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('JWKS_URI');
  });
});

describe('the stream fan-out', () => {
  it('only sees message records, reports partial failures, bisects and dead-letters', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: fanOutFilterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('alarms on dead letters and on the stream falling behind', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 60_000,
    });
  });
});

describe('least privilege', () => {
  it('grants no wildcard actions anywhere', () => {
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actionsOf(statement))
          expect(action === '*' || action.endsWith(':*')).toBe(false);
      }
    }
  });

  it('gives each function exactly the table actions its adapters issue, and @connections as declared', () => {
    for (const spec of allFunctions) {
      const declared = tableGrantOf(spec);
      const granted = dynamoActionsOf(spec);
      expect(granted.table, spec.name).toEqual(declared.actions.map((action) => `dynamodb:${action}`));
      expect(granted.index, spec.name).toEqual(declared.index ? ['dynamodb:Query'] : []);
      const manage = statementsOf(spec).filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));
      expect(manage.length > 0, spec.name).toBe(spec.access.connections);
      for (const statement of manage)
        expect(JSON.stringify(statement.Resource)).toMatch(/\/dev\/POST\/@connections\/\*"/);
    }
  });

  it('lets no function scan or batch-write, and only the declared ones delete', () => {
    for (const spec of allFunctions) {
      const actions = statementsOf(spec).flatMap(actionsOf);
      expect(actions, spec.name).not.toContain('dynamodb:Scan');
      expect(actions, spec.name).not.toContain('dynamodb:BatchWriteItem');
      expect(actions.includes('dynamodb:DeleteItem'), spec.name).toBe(
        tableGrantOf(spec).actions.includes('DeleteItem'),
      );
    }
    // Deleting: typing stops, and membership changes (a transaction deleting the member item).
    expect(dynamoActionsOf(typingRoute).table).toContain('dynamodb:DeleteItem');
  });

  it('gives a route that only reads, posts nothing and takes no rate limit, only reads of the base table', () => {
    const readers = allFunctions.filter(
      (spec) =>
        Object.values(spec.access.table).every((use) => use === 'read') &&
        !spec.access.connections &&
        !('rateLimit' in spec && spec.rateLimit),
    );
    expect(readers.map((spec) => spec.name)).toContain('HttpGetConversation');
    for (const spec of readers) {
      for (const action of dynamoActionsOf(spec).table)
        expect(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], spec.name).toContain(action);
    }
  });

  it('gives the authorizer only the reads of a suspension (it refuses a suspended user)', () => {
    expect(dynamoActionsOf(webSocketAuthorizer)).toEqual({
      table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      index: [],
      stream: [],
    });
  });

  it('lets only the stream consumers (the fan-out, the event publisher) read the stream', () => {
    for (const spec of allFunctions)
      expect(dynamoActionsOf(spec).stream.length > 0, spec.name).toBe(
        spec === fanOutConsumer || spec === eventPublisher,
      );
  });
});

describe('the user pool', () => {
  /** The template of a stack made with `context`, without bundling (only the identity matters here). */
  const identityOf = (context: Record<string, string>) =>
    Template.fromStack(defineChatApp(cdkApp({ stage: 'dev', ...context }, { bundle: false })));

  it('answers an unknown user as a wrong password, and has no OAuth flow or callback URL by default', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      PreventUserExistenceErrors: 'ENABLED',
      AllowedOAuthFlowsUserPoolClient: false,
      AllowedOAuthFlows: Match.absent(),
      CallbackURLs: Match.absent(),
      LogoutURLs: Match.absent(),
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OFF',
      UserPoolTier: Match.absent(),
      UserPoolAddOns: Match.absent(),
    });
  });

  it('offers the hosted UI’s code flow, never the implicit one, only to the configured URLs', () => {
    identityOf({
      callbackUrls: 'https://chat.example.com/signed-in, myapp://signed-in',
      logoutUrls: 'https://chat.example.com/',
    }).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      PreventUserExistenceErrors: 'ENABLED',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://chat.example.com/signed-in', 'myapp://signed-in'],
      LogoutURLs: ['https://chat.example.com/'],
    });
  });

  it('turns on authenticator-app MFA and threat protection (the Plus plan) when configured', () => {
    identityOf({ mfa: 'required', threatProtection: 'enforced' }).hasResourceProperties(
      'AWS::Cognito::UserPool',
      {
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      },
    );
    identityOf({ mfa: 'optional', threatProtection: 'audit' }).hasResourceProperties(
      'AWS::Cognito::UserPool',
      {
        MfaConfiguration: 'OPTIONAL',
        UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
      },
    );
    expect(() => identityOf({ mfa: 'sms' })).toThrow(/mfa must be one of off, optional, required/);
  });
});

describe('the fan-out’s reserved concurrency', () => {
  const reservedOf = (context: Record<string, string>) => {
    const stack = defineChatApp(cdkApp(context, { bundle: false }));
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const reserved = Object.entries(functions).flatMap(([id, fn]) =>
      fn.Properties.ReservedConcurrentExecutions === undefined
        ? []
        : [[id.replace(/Function[0-9A-F]{8}$/, ''), fn.Properties.ReservedConcurrentExecutions]],
    );
    return Object.fromEntries(reserved);
  };

  it('is 20 in prod, so a flood of sends or any other function cannot take what delivery needs', () => {
    expect(reservedOf({ stage: 'prod' })).toEqual({ [fanOutConsumer.name]: 20 });
  });

  it('is none by default elsewhere (a new account cannot reserve any), or with 0, and as configured', () => {
    expect(reservedOf({ stage: 'dev' })).toEqual({});
    expect(reservedOf({ stage: 'prod', fanOutReservedConcurrency: '0' })).toEqual({});
    expect(reservedOf({ stage: 'dev', fanOutReservedConcurrency: '50' })).toEqual({
      [fanOutConsumer.name]: 50,
    });
  });
});

describe('outputs and checks', () => {
  it('outputs what clients and operators need', () => {
    for (const name of [
      'WebSocketUrl',
      'HttpApiUrl',
      'TableName',
      'UserPoolId',
      'UserPoolClientId',
      'DeadLetterQueueUrl',
      'PushQueueUrl',
      'PushDeadLetterQueueUrl',
    ]) {
      template.hasOutput(name, Match.anyValue());
    }
  });

  it('gives the API addresses from the APIs’ own endpoints, so LocalStack answers its real ones', () => {
    const endpointOf = (ProtocolType: string) => {
      const [id] = Object.keys(
        template.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType } }),
      );
      return { 'Fn::GetAtt': [id, 'ApiEndpoint'] };
    };
    template.hasOutput('WebSocketUrl', { Value: { 'Fn::Join': ['', [endpointOf('WEBSOCKET'), '/dev']] } });
    template.hasOutput('HttpApiUrl', { Value: { 'Fn::Join': ['', [endpointOf('HTTP'), '/dev']] } });
  });

  it('passes cdk-nag’s AwsSolutions rules, every acknowledgement carrying a reason', () => {
    // A fresh synthesis runs the validation plugins; it throws when a rule is violated and not acknowledged.
    const assembly = app.synth({ force: true });
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations: { reason: string }[];
      }[];
    };
    const [nag] = report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions');
    expect(nag).toMatchObject({ conclusion: 'success', violations: [] });
    for (const acknowledged of nag?.suppressedViolations ?? [])
      expect(acknowledged.reason.length).toBeGreaterThan(20);
  });
});

describe('the @connections endpoint the functions are given', () => {
  /** CONNECTIONS_ENDPOINT of every function that has one, as the template states it. */
  const endpointsIn = (t: Template) =>
    Object.values(t.findResources('AWS::Lambda::Function'))
      .map(
        (f) =>
          (f.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.CONNECTIONS_ENDPOINT,
      )
      .filter((endpoint) => endpoint !== undefined)
      .map((endpoint) => JSON.stringify(endpoint));

  it('is the WebSocket stage’s AWS callback URL', () => {
    const endpoints = endpointsIn(template);
    expect(endpoints.length).toBeGreaterThan(0);
    for (const endpoint of endpoints) {
      expect(endpoint).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",\{"Ref":"WebSocketApi/);
      expect(endpoint).toContain('.execute-api.');
      expect(endpoint).toContain('"Ref":"AWS::URLSuffix"');
      expect(endpoint).toContain('/dev"');
    }
  });

  it('is LocalStack’s execute-api host name when deploying there', () => {
    // No bundling: only the functions' configuration matters here.
    const stack = defineChatApp(cdkApp({ stage: 'local', localstack: 'true' }, { bundle: false }));
    const endpoints = endpointsIn(Template.fromStack(stack));
    expect(endpoints.length).toBe(endpointsIn(template).length);
    for (const endpoint of endpoints) {
      expect(endpoint).toMatch(/^\{"Fn::Join":\["",\["http:\/\/",\{"Ref":"WebSocketApi/);
      expect(endpoint).toContain('.execute-api.localhost.localstack.cloud:4566/local"');
    }
  });
});

describe('the LocalStack deploy check', () => {
  /** Runs `scripts/check-stack-outputs.ts` on what a deploy answered, against this synthesized template. */
  function checkDeploy(answered: Record<string, string>) {
    const cdkOut = app.synth().directory;
    const outputsFile = join(mkdtempSync(join(tmpdir(), 'outputs-')), 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify({ 'Chat-dev': answered }));
    return spawnSync('node_modules/.bin/tsx', ['scripts/check-stack-outputs.ts', outputsFile, cdkOut], {
      encoding: 'utf8',
    });
  }
  const declared = () => Object.keys(template.toJSON().Outputs as Record<string, unknown>);

  it('passes a deploy that answered every output', () => {
    const answered = Object.fromEntries(declared().map((name) => [name, `value of ${name}`]));
    expect(checkDeploy(answered)).toMatchObject({ status: 0 });
  });

  it('fails, naming them, when LocalStack skipped the APIs and the user pool', () => {
    const skipped = ['WebSocketUrl', 'HttpApiUrl', 'UserPoolId', 'UserPoolClientId'];
    const answered = Object.fromEntries(
      declared()
        .filter((name) => !skipped.includes(name))
        .map((name) => [name, `value of ${name}`]),
    );
    const check = checkDeploy(answered);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`Chat-dev deployed without ${skipped.join(', ')}`);
  });
});

describe('configuration', () => {
  const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;

  it('retains data and protects the table in prod, and not in dev', () => {
    expect(readConfig(nodeWith({ stage: 'prod' }))).toMatchObject({
      retainData: true,
      deletionProtection: true,
    });
    expect(readConfig(nodeWith({}))).toMatchObject({
      stage: 'dev',
      retainData: false,
      deletionProtection: false,
    });
  });

  it('uses an existing OIDC issuer instead of a new user pool when both issuer and audience are given', () => {
    expect(
      readConfig(nodeWith({ oidcIssuer: 'https://id.example.com', oidcAudience: 'a,b' })).identity,
    ).toEqual({
      kind: 'oidc',
      issuer: 'https://id.example.com',
      audiences: ['a', 'b'],
    });
    expect(() => readConfig(nodeWith({ oidcIssuer: 'https://id.example.com' }))).toThrow(/both/);
  });
});

describe('push notifications', () => {
  const apns = 'arn:aws:sns:us-east-1:123456789012:app/APNS/chat-ios';
  const fcm = 'arn:aws:sns:us-east-1:123456789012:app/GCM/chat-android';
  const queueNamed = (prefix: string) => {
    const found = ofType('AWS::SQS::Queue').find(([id]) => id.startsWith(prefix));
    if (!found) throw new Error(`no queue ${prefix}`);
    return found;
  };
  const snsStatementsIn = (statements: Statement[]) =>
    statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sns:')));

  it('queues jobs on an encrypted queue whose jobs go to a dead-letter queue after 3 receives', () => {
    const [deadLettersId] = queueNamed('PushDeadLetters');
    const [, jobs] = queueNamed('PushJobs');
    expect(jobs.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] }, maxReceiveCount: 3 },
    });
  });

  it('has the push worker consume the queue with partial batch failures', () => {
    const [jobsId] = queueNamed('PushJobs');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [jobsId, 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp(`^${pushWorker.name}Function`) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('alarms on the depth of the push dead-letter queue', () => {
    const [deadLettersId] = queueNamed('PushDeadLetters');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }],
      Threshold: 0,
      AlarmActions: Match.anyValue(),
    });
  });

  it('lets only the deliveries of new messages (the sends and the fan-out) queue jobs', () => {
    const [jobsId] = queueNamed('PushJobs');
    // On the push queue: a stream consumer also sends to its own dead-letter queue (its mapping's on-failure).
    const queuers = allFunctions.filter((spec) =>
      statementsOf(spec).some(
        (statement) =>
          actionsOf(statement).includes('sqs:SendMessage') &&
          JSON.stringify(statement.Resource).includes(jobsId),
      ),
    );
    expect(queuers.map((spec) => spec.name).sort()).toEqual([
      'HttpSendMessage',
      'StreamFanOut',
      'WsSendMessage',
    ]);
    const withUrl = chatFunctionsOf(resources).filter(([, fn]) =>
      JSON.stringify(fn.Properties.Environment).includes('PUSH_QUEUE_URL'),
    );
    expect(withUrl).toHaveLength(3);
  });

  it('deploys without platform applications, and then gives the worker no SNS access', () => {
    expect(snsStatementsIn(statementsOf(pushWorker))).toEqual([]);
    for (const spec of allFunctions) expect(snsStatementsIn(statementsOf(spec)), spec.name).toEqual([]);
  });

  it("with platform applications grants the worker exactly SnsPushSender's calls, on them and their endpoints", () => {
    const configuredApp = cdkApp(
      { stage: 'dev', apnsPlatformApplicationArn: apns, fcmPlatformApplicationArn: fcm },
      { bundle: false },
    );
    const configured = Template.fromStack(defineChatApp(configuredApp)).toJSON().Resources as Resources;
    // cdk-nag runs at synthesis: the endpoints' wildcard is acknowledged, nothing else is found.
    expect(() => configuredApp.synth({ force: true })).not.toThrow();
    const statements = Object.entries(configured)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties.Roles).includes(`${pushWorker.name}Role`))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const sns = snsStatementsIn(statements).map((statement) => ({
      actions: actionsOf(statement).sort(),
      resources: JSON.stringify(statement.Resource),
    }));
    expect(sns).toEqual([
      { actions: ['sns:CreatePlatformEndpoint'], resources: JSON.stringify([apns, fcm]) },
      {
        actions: [
          'sns:DeleteEndpoint',
          'sns:GetEndpointAttributes',
          'sns:Publish',
          'sns:SetEndpointAttributes',
        ],
        resources: expect.stringMatching(/endpoint\/APNS\/chat-ios\/\*.*endpoint\/GCM\/chat-android\/\*/),
      },
    ]);
    const [, worker] =
      Object.entries(configured).find(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(pushWorker.name),
      ) ?? [];
    expect(worker?.Properties.Environment).toMatchObject({
      Variables: { APNS_PLATFORM_APPLICATION_ARN: apns, FCM_PLATFORM_APPLICATION_ARN: fcm },
    });
  });
});
