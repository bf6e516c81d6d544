/** The stack's configuration, read from CDK context (`cdk deploy -c stage=prod -c alarmEmail=ops@example.com`). */
import type { Node } from 'constructs';
import { type ChatSettings, defaultSettings } from '../shared/config.ts';
import {
  type ContentFilterConfig,
  contentFilterContext,
  parseContentFilterConfig,
} from '../shared/moderation/filter-config.ts';

/** The new user pool's options, each off by default (the README's Configuration explains them). */
export interface CognitoOptions {
  /**
   * A second factor by authenticator app (TOTP; SMS would need an SNS role and is billed per message):
   * `optional` lets users enrol one, `required` makes every user enrol at their next sign-in. @default 'off'
   */
  mfa: 'off' | 'optional' | 'required';
  /**
   * Threat protection (formerly advanced security) on the Plus feature plan, billed per monthly active user:
   * `audit` records risky sign-ins and compromised credentials, `enforced` also blocks them. @default 'off'
   */
  threatProtection: 'off' | 'audit' | 'enforced';
  /** Where the hosted UI may send users after sign-in; none: the app client has no OAuth flows. @default [] */
  callbackUrls: string[];
  /** Where the hosted UI may send users after sign-out. @default [] */
  logoutUrls: string[];
}

export type Identity =
  | ({ kind: 'cognito' } & CognitoOptions)
  /** An existing OIDC issuer: tokens' `aud` (or `client_id`) must be one of `audiences`. */
  | { kind: 'oidc'; issuer: string; audiences: string[] };

export interface ChatStackConfig {
  /** Stage name of both APIs; `prod` also retains data and turns deletion protection on. @default 'dev' */
  stage: string;
  /** @default a new Cognito user pool and app client */
  identity: Identity;
  /** Function settings: retention, presence and typing TTLs, rate limits. @default `defaultSettings` */
  settings: ChatSettings;
  /** @default 30 */
  logRetentionDays: number;
  /** Keep the table, user pool and logs when the stack is deleted. @default stage === 'prod' */
  retainData: boolean;
  /** @default stage === 'prod' */
  deletionProtection: boolean;
  /** Subscribed to the alarm topic when set. @default none */
  alarmEmail?: string;
  /** Steady-state requests per second and burst of each API stage. @default 200 and 400 */
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /**
   * Concurrency reserved for the stream consumer: a flood of sends, or any other function of the account, cannot
   * take what delivery needs (it also caps the consumer). A new account's quota is 10 concurrent executions and
   * Lambda keeps 100 (or all 10) unreserved, so reserving fails to deploy there: 0 or unset reserves none.
   * @default 20 in `prod` (an account whose quota was raised), none otherwise
   */
  fanOutReservedConcurrency?: number;
  /** Origins allowed by the HTTP API's CORS. @default ['*'] */
  corsOrigins: string[];
  /**
   * Deploying to LocalStack: functions reach `@connections` through LocalStack's own execute-api host name,
   * which its DNS resolves inside Lambda containers, rather than through AWS's. @default false
   */
  localstack: boolean;
  /**
   * SNS platform applications of the push services (`apnsPlatformApplicationArn`: APNs token auth,
   * `fcmPlatformApplicationArn`: FCM HTTP v1), made once per account (README, "Push notifications"). Without
   * them the stack deploys all the same and sends no pushes to that platform. @default none
   */
  pushPlatformApplications: { apns?: string; fcm?: string };
  /**
   * The content filter of sends and edits: `contentFilterWords` (a comma list), and `contentFilter=comprehend`
   * with `contentFilterThreshold`, `contentFilterTimeoutMs`, `contentFilterFail` (README, "Content filter").
   * @default an empty word list, Comprehend off
   */
  contentFilter: ContentFilterConfig;
  /**
   * Hours the oldest open report may wait before the alarm fires: under the 24 hours in which app-store review
   * expects reports acted on, so moderators are woken with time left. @default 20
   */
  reportAgeAlarmHours: number;
  /**
   * Where the hot state (connections and presence, typing, rate limits) lives: `elasticache` adds an ElastiCache
   * Serverless for Valkey cache and builds the functions for it, with its usage limits (README, "Hot state on
   * ElastiCache"). @default { backend: 'dynamodb' }
   */
  hotState: HotStateConfig;
}

/** The stack's `-c hotState` values; the functions' `CHAT_HOT_STATE` follows from it (infra/bundling.ts). */
const hotStateBackends = ['dynamodb', 'elasticache'] as const;
export type HotStateBackend = (typeof hotStateBackends)[number];

type HotStateConfig =
  | { backend: 'dynamodb' }
  /** The cache's usage limits: ElastiCache throttles beyond them, so they cap its bill. */
  | { backend: 'elasticache'; dataStorageGb: number; ecpuPerSecond: number };

const contextKeys = {
  stage: 'stage',
  oidcIssuer: 'oidcIssuer',
  oidcAudience: 'oidcAudience',
  logRetentionDays: 'logRetentionDays',
  retainData: 'retainData',
  deletionProtection: 'deletionProtection',
  alarmEmail: 'alarmEmail',
  throttleRateLimit: 'throttleRateLimit',
  throttleBurstLimit: 'throttleBurstLimit',
  fanOutReservedConcurrency: 'fanOutReservedConcurrency',
  mfa: 'mfa',
  threatProtection: 'threatProtection',
  callbackUrls: 'callbackUrls',
  logoutUrls: 'logoutUrls',
  corsOrigins: 'corsOrigins',
  localstack: 'localstack',
  apnsPlatformApplicationArn: 'apnsPlatformApplicationArn',
  fcmPlatformApplicationArn: 'fcmPlatformApplicationArn',
  reportAgeAlarmHours: 'reportAgeAlarmHours',
  hotState: 'hotState',
  cacheDataStorageGb: 'cacheDataStorageGb',
  cacheEcpuPerSecond: 'cacheEcpuPerSecond',
} as const;

function numberFrom(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`Context ${name} must be a number >= 0`);
  return parsed;
}

function choiceFrom<Choice extends string>(value: unknown, name: string, choices: readonly Choice[]): Choice {
  if (value === undefined || value === '') return choices[0] as Choice;
  if (!choices.includes(value as Choice))
    throw new Error(`Context ${name} must be one of ${choices.join(', ')}`);
  return value as Choice;
}

const listFrom = (value: unknown) =>
  value === undefined || value === ''
    ? []
    : String(value)
        .split(',')
        .map((item) => item.trim());

const booleanFrom = (value: unknown, fallback: boolean) =>
  value === undefined ? fallback : value === true || value === 'true';

/** A whole number within what ElastiCache accepts for that limit. */
function limitFrom(value: unknown, name: string, fallback: number, [min, max]: [number, number]): number {
  const parsed = numberFrom(value, name, fallback);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new Error(`Context ${name} must be a whole number from ${min} to ${max}`);
  return parsed;
}

/** ElastiCache Serverless accepts a data maximum of 1 to 5,000 GB and 1,000 to 15,000,000 ECPUs a second. */
function hotStateFrom(context: (key: string) => unknown): HotStateConfig {
  const backend = choiceFrom(context(contextKeys.hotState), 'hotState', hotStateBackends);
  if (backend === 'dynamodb') return { backend };
  return {
    backend,
    dataStorageGb: limitFrom(context(contextKeys.cacheDataStorageGb), 'cacheDataStorageGb', 1, [1, 5_000]),
    ecpuPerSecond: limitFrom(
      context(contextKeys.cacheEcpuPerSecond),
      'cacheEcpuPerSecond',
      5_000,
      [1_000, 15_000_000],
    ),
  };
}

/** 0 reserves nothing: the consumer shares the account's unreserved pool. */
const reservation = (concurrency: number) =>
  concurrency > 0 ? { fanOutReservedConcurrency: concurrency } : {};

export function readConfig(node: Node): ChatStackConfig {
  const context = (key: string) => node.tryGetContext(key) as unknown;
  const stage = String(context(contextKeys.stage) ?? 'dev');
  const production = stage === 'prod';
  const issuer = context(contextKeys.oidcIssuer);
  const audience = context(contextKeys.oidcAudience);
  if ((issuer === undefined) !== (audience === undefined)) {
    throw new Error(
      'Give both oidcIssuer and oidcAudience, or neither (a Cognito user pool is then created)',
    );
  }
  const settings = Object.fromEntries(
    Object.entries(defaultSettings).map(([key, fallback]) => [key, numberFrom(context(key), key, fallback)]),
  ) as unknown as ChatSettings;
  const alarmEmail = context(contextKeys.alarmEmail);
  const apns = context(contextKeys.apnsPlatformApplicationArn);
  const fcm = context(contextKeys.fcmPlatformApplicationArn);
  const reserved = context(contextKeys.fanOutReservedConcurrency);
  return {
    stage,
    identity:
      issuer === undefined
        ? {
            kind: 'cognito',
            mfa: choiceFrom(context(contextKeys.mfa), 'mfa', ['off', 'optional', 'required']),
            threatProtection: choiceFrom(context(contextKeys.threatProtection), 'threatProtection', [
              'off',
              'audit',
              'enforced',
            ]),
            callbackUrls: listFrom(context(contextKeys.callbackUrls)),
            logoutUrls: listFrom(context(contextKeys.logoutUrls)),
          }
        : {
            kind: 'oidc',
            issuer: String(issuer),
            audiences: String(audience)
              .split(',')
              .map((a) => a.trim()),
          },
    settings,
    logRetentionDays: numberFrom(context(contextKeys.logRetentionDays), 'logRetentionDays', 30),
    retainData: booleanFrom(context(contextKeys.retainData), production),
    deletionProtection: booleanFrom(context(contextKeys.deletionProtection), production),
    ...(alarmEmail ? { alarmEmail: String(alarmEmail) } : {}),
    throttleRateLimit: numberFrom(context(contextKeys.throttleRateLimit), 'throttleRateLimit', 200),
    throttleBurstLimit: numberFrom(context(contextKeys.throttleBurstLimit), 'throttleBurstLimit', 400),
    ...reservation(numberFrom(reserved, 'fanOutReservedConcurrency', production ? 20 : 0)),
    corsOrigins: String(context(contextKeys.corsOrigins) ?? '*').split(','),
    localstack: booleanFrom(context(contextKeys.localstack), false),
    pushPlatformApplications: {
      ...(apns ? { apns: String(apns) } : {}),
      ...(fcm ? { fcm: String(fcm) } : {}),
    },
    contentFilter: parseContentFilterConfig((setting) => ({
      raw: context(contentFilterContext[setting]),
      name: `Context ${contentFilterContext[setting]}`,
    })),
    reportAgeAlarmHours: numberFrom(context(contextKeys.reportAgeAlarmHours), 'reportAgeAlarmHours', 20),
    hotState: hotStateFrom(context),
  };
}
