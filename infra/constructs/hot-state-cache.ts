/**
 * The hot state's ElastiCache Serverless for Valkey cache (`-c hotState=elasticache`): TLS (always on for
 * serverless caches) and IAM authentication only, through one IAM-mode user in a user group of its own, so no
 * password exists anywhere. Its endpoint is the public one Valkey 9 offers (README, "Hot state on ElastiCache"):
 * the functions stay out of any VPC, and a connection needs a SigV4 token for this user and this cache.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type Dashboard, GraphWidget, type HorizontalAnnotation, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnServerlessCache, CfnUser, CfnUserGroup } from 'aws-cdk-lib/aws-elasticache';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { TableAdapter } from '../../shared/shape/routes.ts';
import { adapterUsesOf, type GrantedSpec } from '../table-access.ts';
import { alarmOver } from './alarms.ts';
import type { HotStateTarget } from './chat-function.ts';

/**
 * The adapters whose state a Valkey build keeps in the cache: connections and presence (`sessions`), when
 * their tokens expire (`connectionExpiry`), typing,
 * rate limits, and the member-list cache and unread positions kept beside `conversations`. A function reaching
 * one may connect; the others never send a command (the client connects on its first one).
 */
const hotStateAdapters: readonly TableAdapter[] = [
  'sessions',
  'connectionExpiry',
  'typing',
  'rateLimits',
  'conversations',
];

export const usesHotState = (spec: GrantedSpec) => {
  const uses = adapterUsesOf(spec);
  return hotStateAdapters.some((adapter) => uses[adapter] !== undefined);
};

export interface HotStateCacheProps {
  /** Names the cache `chat-<stage>` (lowercase: the IAM token is signed for the name as stored). */
  readonly stage: string;
  /** The usage limits: ElastiCache throttles beyond them, which caps the bill. */
  readonly dataStorageGb: number;
  readonly ecpuPerSecond: number;
  /** Of the cache, its user and user group. */
  readonly removalPolicy: RemovalPolicy;
}

/** ElastiCache's rule for cache names: a letter first, letters, digits and single hyphens, at most 40. */
const cacheNamePattern = /^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$/;

/** Near a limit: the alarms fire at this share of it. */
const nearLimit = 0.8;
const period = Duration.minutes(1);

export class HotStateCache extends Construct implements HotStateTarget {
  readonly cacheName: string;
  readonly cache: CfnServerlessCache;
  readonly user: CfnUser;
  /** `host:port` of the public endpoint. */
  readonly endpoint: string;
  readonly environment: Readonly<Record<string, string>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: HotStateCacheProps,
  ) {
    super(scope, id);
    this.cacheName = `chat-${props.stage}`.toLowerCase();
    if (!cacheNamePattern.test(this.cacheName))
      throw new Error(
        `hotState=elasticache names the cache ${this.cacheName}: the stage must make it a valid ElastiCache name (letters, digits, single hyphens, at most 40)`,
      );
    // An IAM user's id and name are the same, and the token names it (shared/hot-state/iam-auth-token.ts).
    const userId = `${this.cacheName}-functions`;
    this.user = new CfnUser(this, 'User', {
      engine: 'valkey',
      userId,
      userName: userId,
      authenticationMode: { Type: 'iam' },
      // Every key, every command but the dangerous ones (FLUSHALL, KEYS, CONFIG, DEBUG …): the adapters use
      // strings, hashes, expiry, Lua scripts and transactions.
      accessString: 'on ~* +@all -@dangerous',
    });
    // A Valkey user group holds only users that authenticate (no passwordless `default` user), here just one.
    const group = new CfnUserGroup(this, 'UserGroup', {
      engine: 'valkey',
      userGroupId: `${this.cacheName}-users`,
      userIds: [this.user.ref],
    });
    this.cache = new CfnServerlessCache(this, 'Cache', {
      serverlessCacheName: this.cacheName,
      description: `Chat ${props.stage}: connections, presence, typing and rate limits`,
      engine: 'valkey',
      // Public endpoints need Valkey 9 or later.
      majorEngineVersion: '9',
      connectionType: 'public',
      userGroupId: group.ref,
      cacheUsageLimits: {
        dataStorage: { maximum: props.dataStorageGb, unit: 'GB' },
        ecpuPerSecond: { maximum: props.ecpuPerSecond },
      },
    });
    for (const resource of [this.user, group, this.cache]) resource.applyRemovalPolicy(props.removalPolicy);
    this.endpoint = `${this.cache.attrEndpointAddress}:${this.cache.attrEndpointPort}`;
    this.environment = {
      VALKEY_ENDPOINT: this.endpoint,
      VALKEY_CACHE_NAME: this.cacheName,
      VALKEY_USER: userId,
    };
  }

  /** `elasticache:Connect` on this cache as this user, nothing else. */
  grantConnect(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['elasticache:Connect'],
        resources: [this.cache.attrArn, this.user.attrArn],
      }),
    );
  }

  /** One of the cache's own metrics (serverless caches publish them under `clusterId`). */
  private metric(metricName: string, statistic: string) {
    return new Metric({
      namespace: 'AWS/ElastiCache',
      metricName,
      dimensionsMap: { clusterId: this.cacheName },
      statistic,
      period,
    });
  }

  /** Alarms on throttling, usage near the limits and failed authentication, and a dashboard row. */
  monitor({ topic, dashboard }: { topic: ITopic; dashboard: Dashboard }): void {
    const ecpuLimitPerPeriod = this.props.ecpuPerSecond * period.toSeconds();
    const storageLimitBytes = this.props.dataStorageGb * 1e9;
    const ecpus = this.metric('ElastiCacheProcessingUnits', 'Sum');
    const stored = this.metric('BytesUsedForCache', 'Maximum');
    const throttled = this.metric('ThrottledCmds', 'Sum');
    const authThrottled = this.metric('IamAuthenticationThrottling', 'Sum');
    const authFailures = this.metric('AuthenticationFailures', 'Sum');
    const alarm = (id: string, metric: Metric, threshold: number, description: string) =>
      alarmOver(this, id, { metric, threshold, description, topic });
    alarm('ThrottledAlarm', throttled, 0, 'The hot-state cache throttled commands: raise cacheEcpuPerSecond');
    alarm(
      'EcpuAlarm',
      ecpus,
      ecpuLimitPerPeriod * nearLimit,
      `The hot-state cache used over ${nearLimit * 100}% of its ${this.props.ecpuPerSecond} ECPU/s limit`,
    );
    alarm(
      'StorageAlarm',
      stored,
      storageLimitBytes * nearLimit,
      `The hot-state cache holds over ${nearLimit * 100}% of its ${this.props.dataStorageGb} GB limit`,
    );
    alarm(
      'AuthThrottledAlarm',
      authThrottled,
      0,
      'IAM authentications to the hot-state cache were throttled (a storm of new connections)',
    );
    // The endpoint is public: refused tokens are either ours (a signing fault) or someone else's attempts.
    alarm(
      'AuthFailuresAlarm',
      authFailures,
      5,
      'Over 5 failed authentications to the hot-state cache a minute',
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Hot state: ECPUs a minute',
        left: [ecpus],
        leftAnnotations: [limitLine(ecpuLimitPerPeriod)],
      }),
      new GraphWidget({
        title: 'Hot state: data (bytes)',
        left: [stored],
        leftAnnotations: [limitLine(storageLimitBytes)],
      }),
      new GraphWidget({
        title: 'Hot state: latency (µs)',
        left: [
          this.metric('SuccessfulReadRequestLatency', 'p50'),
          this.metric('SuccessfulWriteRequestLatency', 'p50'),
          this.metric('SuccessfulReadRequestLatency', 'p99'),
          this.metric('SuccessfulWriteRequestLatency', 'p99'),
        ],
      }),
      new GraphWidget({
        title: 'Hot state: throttling and authentication',
        left: [throttled, authThrottled, authFailures, this.metric('CurrConnections', 'Maximum')],
      }),
    );
  }
}

const limitLine = (value: number): HorizontalAnnotation => ({ value, label: 'usage limit' });
