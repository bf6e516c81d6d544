/** Every function of the stack, made alike: one `ChatFunction` per route-table entry, with the shared settings. */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type ChatSettings, settingsEnv } from '../../shared/config.ts';
import { metricsNamespace, serviceName } from '../../shared/observability.ts';
import type { GrantedSpec } from '../table-access.ts';
import {
  ChatFunction,
  type ChatFunctionProps,
  type ConnectionsTarget,
  type HotStateTarget,
} from './chat-function.ts';

export interface ChatFunctionsProps {
  /** The table the functions are granted access to, as each spec declares. */
  readonly table: ITable;
  /** Where functions with `connections` access post. */
  readonly connections: ConnectionsTarget;
  /** Retention, TTLs and limits, handed to every function as environment variables. */
  readonly settings: ChatSettings;
  /** Retention of each function's log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the log groups when they leave the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** The hot-state cache, when the stack keeps the hot state on Valkey. @default none (DynamoDB) */
  readonly hotState?: HotStateTarget;
}

/**
 * Makes the functions in `scope` itself (each `ChatFunction` under its spec's name, as deployed stacks have them)
 * and remembers them, in order of creation, for the alarms and the dashboard.
 */
export class ChatFunctions {
  /** The environment every function gets: the settings and the Powertools service, namespace and log level. */
  readonly environment: Readonly<Record<string, string>>;
  private readonly created: ChatFunction[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly props: ChatFunctionsProps,
  ) {
    const settings = Object.fromEntries(
      Object.entries(settingsEnv).map(([key, name]) => [
        name,
        String(props.settings[key as keyof typeof settingsEnv]),
      ]),
    );
    this.environment = {
      ...settings,
      POWERTOOLS_SERVICE_NAME: serviceName,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
  }

  /** Every function made so far, in order of creation. */
  get all(): readonly ChatFunction[] {
    return this.created;
  }

  /** A new function for `spec`; `extra` overrides the defaults (an environment given replaces the shared one). */
  add(spec: GrantedSpec, extra: Partial<Omit<ChatFunctionProps, 'spec'>> = {}): IFunction {
    const created = new ChatFunction(this.scope, spec.name, {
      spec,
      table: this.props.table,
      connections: this.props.connections,
      environment: this.environment,
      logRetention: this.props.logRetention,
      removalPolicy: this.props.removalPolicy,
      ...(this.props.hotState ? { hotState: this.props.hotState } : {}),
      ...extra,
    });
    this.created.push(created);
    return created.function;
  }
}
