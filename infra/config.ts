/** The stack's configuration, read from CDK context (`cdk deploy -c stage=prod -c alarmEmail=ops@example.com`). */
import type { Node } from 'constructs';
import { type ChatSettings, defaultSettings } from '../shared/config.ts';

export type Identity =
  | { kind: 'cognito' }
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
  /** Reserved concurrency of the stream consumer, so a runaway cannot starve the account. @default none */
  fanOutReservedConcurrency?: number;
  /** Origins allowed by the HTTP API's CORS. @default ['*'] */
  corsOrigins: string[];
  /**
   * Deploying to LocalStack: functions reach `@connections` through LocalStack's own execute-api host name,
   * which its DNS resolves inside Lambda containers, rather than through AWS's. @default false
   */
  localstack: boolean;
}

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
  corsOrigins: 'corsOrigins',
  localstack: 'localstack',
} as const;

function numberFrom(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`Context ${name} must be a number >= 0`);
  return parsed;
}

const booleanFrom = (value: unknown, fallback: boolean) =>
  value === undefined ? fallback : value === true || value === 'true';

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
  const reserved = context(contextKeys.fanOutReservedConcurrency);
  return {
    stage,
    identity:
      issuer === undefined
        ? { kind: 'cognito' }
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
    ...(reserved === undefined
      ? {}
      : { fanOutReservedConcurrency: numberFrom(reserved, 'fanOutReservedConcurrency', 0) }),
    corsOrigins: String(context(contextKeys.corsOrigins) ?? '*').split(','),
    localstack: booleanFrom(context(contextKeys.localstack), false),
  };
}
