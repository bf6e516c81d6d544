/**
 * The stack with the hot state on ElastiCache (`-c hotState=elasticache`): the serverless Valkey cache and its
 * limits, IAM-only authentication, who may connect, what the functions are told and built for, the network (the
 * public endpoint: no VPC anywhere) and the alarms; and the default stack, which has none of it.
 */
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { functionCode } from '../../infra/bundling.ts';
import { readConfig } from '../../infra/config.ts';
import { usesHotState } from '../../infra/constructs/hot-state-cache.ts';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import { fanOutConsumer, webSocketAuthorizer, webSocketRoutes } from '../../shared/shape/routes.ts';
import { scheduledFunctions } from '../../shared/shape/scheduled.ts';
import {
  actionsOf,
  chatFunctionsOf,
  type Resources,
  resourcesOfType,
  statementsOf,
  synthesize,
} from '../support/stack-template.ts';

// Records what each function is built with (bundling itself is skipped in these syntheses).
vi.mock('../../infra/bundling.ts', async (original) => {
  const module = await original<typeof import('../../infra/bundling.ts')>();
  return { ...module, functionCode: vi.fn(module.functionCode) };
});

interface Synthesized {
  resources: Resources;
  outputs: Record<string, { Value: unknown }>;
  /** The hot state each function was bundled for. */
  builtFor: string[];
}

function synthesizeWith(context: Record<string, string>): Synthesized {
  vi.mocked(functionCode).mockClear();
  const { template } = synthesize(context);
  const builtFor = vi.mocked(functionCode).mock.calls.map(([, , hotState]) => hotState);
  return { resources: template.toJSON().Resources, outputs: template.toJSON().Outputs, builtFor };
}

let onCache: Synthesized;
let onDynamo: Synthesized;
beforeAll(() => {
  onCache = synthesizeWith({ hotState: 'elasticache' });
  onDynamo = synthesizeWith({});
}, 240_000);

const one = (resources: Resources, type: string) => {
  const found = resourcesOfType(resources, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Resources[string]];
};
const connectStatements = (resources: Resources, name: string) =>
  statementsOf(resources, name).filter((s) => actionsOf(s).some((a) => a.startsWith('elasticache:')));
function routeNamed(name: string) {
  const route = [...webSocketRoutes, ...httpRoutes].find((candidate) => candidate.name === name);
  if (!route) throw new Error(`no route ${name}`);
  return route;
}

describe('the cache', () => {
  it('is ElastiCache Serverless for Valkey 9 on its public endpoint, with the default usage limits', () => {
    const [, cache] = one(onCache.resources, 'AWS::ElastiCache::ServerlessCache');
    const [groupId] = one(onCache.resources, 'AWS::ElastiCache::UserGroup');
    expect(cache.Properties).toEqual({
      ServerlessCacheName: 'chat-dev',
      Description: expect.any(String),
      Engine: 'valkey',
      MajorEngineVersion: '9',
      ConnectionType: 'public',
      UserGroupId: { Ref: groupId },
      CacheUsageLimits: { DataStorage: { Maximum: 1, Unit: 'GB' }, ECPUPerSecond: { Maximum: 5000 } },
    });
  });

  it('takes its usage limits from config, and is kept with the data in prod', () => {
    const { resources } = synthesize({
      stage: 'prod',
      hotState: 'elasticache',
      cacheDataStorageGb: '3',
      cacheEcpuPerSecond: '20000',
    });
    const [, cache] = one(resources, 'AWS::ElastiCache::ServerlessCache');
    expect(cache.Properties).toMatchObject({
      ServerlessCacheName: 'chat-prod',
      CacheUsageLimits: { DataStorage: { Maximum: 3, Unit: 'GB' }, ECPUPerSecond: { Maximum: 20000 } },
    });
    for (const type of ['ServerlessCache', 'User', 'UserGroup']) {
      expect(one(resources, `AWS::ElastiCache::${type}`)[1], type).toMatchObject({
        DeletionPolicy: 'Retain',
      });
      expect(one(onCache.resources, `AWS::ElastiCache::${type}`)[1], type).toMatchObject({
        DeletionPolicy: 'Delete',
      });
    }
    const ecpuAlarm = resourcesOfType(resources, 'AWS::CloudWatch::Alarm').find(
      ([, a]) => a.Properties.MetricName === 'ElastiCacheProcessingUnits',
    );
    expect(ecpuAlarm?.[1].Properties.Threshold).toBe(20_000 * 60 * 0.8);
  }, 120_000);

  it('refuses limits ElastiCache would refuse, and an unknown backend', () => {
    const config = (context: Record<string, string>) => () => readConfig(new App({ context }).node);
    expect(config({ hotState: 'elasticache', cacheEcpuPerSecond: '999' })).toThrow(/cacheEcpuPerSecond/);
    expect(config({ hotState: 'elasticache', cacheDataStorageGb: '0' })).toThrow(/cacheDataStorageGb/);
    expect(config({ hotState: 'elasticache', cacheDataStorageGb: '1.5' })).toThrow(/whole number/);
    expect(config({ hotState: 'redis' })).toThrow(/hotState must be one of dynamodb, elasticache/);
    expect(readConfig(new App().node).hotState).toEqual({ backend: 'dynamodb' });
  });
});

describe('authentication', () => {
  it('is IAM only: one IAM-mode Valkey user (id and name alike) alone in its group, no password anywhere', () => {
    const [userId, user] = one(onCache.resources, 'AWS::ElastiCache::User');
    expect(user.Properties).toEqual({
      Engine: 'valkey',
      UserId: 'chat-dev-functions',
      UserName: 'chat-dev-functions',
      AuthenticationMode: { Type: 'iam' },
      AccessString: 'on ~* +@all -@dangerous',
    });
    const [, group] = one(onCache.resources, 'AWS::ElastiCache::UserGroup');
    expect(group.Properties).toEqual({
      Engine: 'valkey',
      UserGroupId: 'chat-dev-users',
      UserIds: [{ Ref: userId }],
    });
    expect(JSON.stringify(onCache.resources)).not.toMatch(/Passwords|NoPasswordRequired|AuthToken/);
  });

  it('lets connect exactly the functions that reach the hot state, to this cache as this user only', () => {
    const [cacheId] = one(onCache.resources, 'AWS::ElastiCache::ServerlessCache');
    const [userId] = one(onCache.resources, 'AWS::ElastiCache::User');
    for (const spec of allFunctionSpecs) {
      const statements = connectStatements(onCache.resources, spec.name);
      if (!usesHotState(spec)) {
        expect(statements, spec.name).toEqual([]);
        continue;
      }
      expect(statements, spec.name).toEqual([
        {
          Effect: 'Allow',
          Action: 'elasticache:Connect',
          Resource: [{ 'Fn::GetAtt': [cacheId, 'ARN'] }, { 'Fn::GetAtt': [userId, 'Arn'] }],
        },
      ]);
    }
    // The routes whose state is hot, and those that never touch it.
    for (const name of ['WsConnect', 'WsTyping', 'WsHeartbeat', 'WsSendMessage', 'HttpGetUnread'])
      expect(usesHotState(routeNamed(name)), name).toBe(true);
    expect(usesHotState(fanOutConsumer)).toBe(true);
    expect(usesHotState(webSocketAuthorizer)).toBe(false);
    const reportAge = scheduledFunctions.find((spec) => spec.name === 'ReportAge');
    expect(reportAge && usesHotState(reportAge)).toBe(false);
    expect(allFunctionSpecs.filter(usesHotState).length).toBeGreaterThan(20);
  });
});

describe('the functions', () => {
  it('are all built for Valkey, and told where the cache is and who they are', () => {
    expect(onCache.builtFor).toHaveLength(allFunctionSpecs.length);
    expect(new Set(onCache.builtFor)).toEqual(new Set(['elasticache']));
    const [cacheId] = one(onCache.resources, 'AWS::ElastiCache::ServerlessCache');
    for (const [id, fn] of chatFunctionsOf(onCache.resources)) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables, id).toMatchObject({
        VALKEY_ENDPOINT: {
          'Fn::Join': [
            '',
            [
              { 'Fn::GetAtt': [cacheId, 'Endpoint.Address'] },
              ':',
              { 'Fn::GetAtt': [cacheId, 'Endpoint.Port'] },
            ],
          ],
        },
        VALKEY_CACHE_NAME: 'chat-dev',
        VALKEY_USER: 'chat-dev-functions',
      });
    }
  });

  it('stay out of any VPC: the cache’s public endpoint needs no subnet, NAT or interface endpoint', () => {
    expect(Object.values(onCache.resources).filter((r) => r.Type.startsWith('AWS::EC2::'))).toEqual([]);
    for (const [id, fn] of chatFunctionsOf(onCache.resources))
      expect(fn.Properties.VpcConfig, id).toBeUndefined();
    const [, cache] = one(onCache.resources, 'AWS::ElastiCache::ServerlessCache');
    expect(cache.Properties.SubnetIds).toBeUndefined();
    expect(cache.Properties.SecurityGroupIds).toBeUndefined();
  });

  it('output the cache’s name and endpoint for operators (ops:status)', () => {
    expect(onCache.outputs.HotStateCacheName?.Value).toBe('chat-dev');
    expect(JSON.stringify(onCache.outputs.HotStateEndpoint?.Value)).toContain('Endpoint.Address');
  });
});

describe('the alarms and the dashboard', () => {
  const cacheAlarms = () =>
    resourcesOfType(onCache.resources, 'AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter((alarm) => alarm.Namespace === 'AWS/ElastiCache');

  it('alarm to the alarm topic on throttling, usage near the limits and failed authentication', () => {
    const [topicId] = one(onCache.resources, 'AWS::SNS::Topic');
    const alarms = cacheAlarms();
    expect(
      Object.fromEntries(alarms.map((alarm) => [alarm.MetricName, [alarm.Statistic, alarm.Threshold]])),
    ).toEqual({
      ThrottledCmds: ['Sum', 0],
      IamAuthenticationThrottling: ['Sum', 0],
      ElastiCacheProcessingUnits: ['Sum', 5000 * 60 * 0.8],
      BytesUsedForCache: ['Maximum', 1e9 * 0.8],
      AuthenticationFailures: ['Sum', 5],
    });
    for (const alarm of alarms) {
      expect(alarm.Dimensions).toEqual([{ Name: 'clusterId', Value: 'chat-dev' }]);
      expect(alarm.Period).toBe(60);
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('add a hot-state row to the dashboard', () => {
    const [, dashboard] = one(onCache.resources, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['ECPUs a minute', 'data (bytes)', 'latency', 'throttling and authentication'])
      expect(body).toContain(`Hot state: ${title}`);
    expect(body).toContain('clusterId');
  });
});

describe('the default stack (hot state in DynamoDB)', () => {
  it('has no cache, no Valkey settings, no ElastiCache grant, alarm or output', () => {
    expect(Object.values(onDynamo.resources).filter((r) => r.Type.startsWith('AWS::ElastiCache::'))).toEqual(
      [],
    );
    expect(JSON.stringify(onDynamo.resources)).not.toMatch(/VALKEY_|elasticache:|AWS\/ElastiCache/);
    expect(Object.keys(onDynamo.outputs).filter((name) => name.startsWith('HotState'))).toEqual([]);
  });

  it('builds every function for the hot state in DynamoDB (the bundle-size test: no Valkey client in them)', () => {
    expect(onDynamo.builtFor).toHaveLength(allFunctionSpecs.length);
    expect(new Set(onDynamo.builtFor)).toEqual(new Set(['dynamodb']));
  });
});
