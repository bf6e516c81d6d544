/**
 * The one Lambda function construct: owns the defaults (Node.js 22, arm64, its part of the one esbuild build of
 * every function, source maps, a log group with retention) and grants exactly the access a route-table entry
 * declares.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionCode, sdkSourceOf } from '../bundling.ts';
import { type GrantedSpec, tableGrantOf } from '../table-access.ts';
import { usesHotState } from './hot-state-cache.ts';

/** The Lambda runtime of every function; bundles target it and the tests run on (at least) its Node.js. */
export const lambdaRuntime = Runtime.NODEJS_22_X;

/** Where a function with `connections` access may post: this API's stage, POST on `@connections` only. */
export interface ConnectionsTarget {
  /** The `execute-api` ARN of `POST @connections/*` on the stage: what the functions are granted. */
  readonly postArn: string;
  /** The ARN of `DELETE @connections/*`: granted to the functions that close connections. */
  readonly deleteArn: string;
  /** The `https://…/stage` URL the management client uses. */
  readonly endpoint: string;
}

/** The hot-state cache of a stack built for Valkey (`-c hotState=elasticache`). */
export interface HotStateTarget {
  /** Where the cache is and who connects (`VALKEY_ENDPOINT`, `VALKEY_CACHE_NAME`, `VALKEY_USER`). */
  readonly environment: Readonly<Record<string, string>>;
  grantConnect(grantee: IGrantable): void;
}

/** The ARN of the table's indexes, as granted (and as the reviewed cdk-nag finding names it). */
export const tableIndexesArn = (table: ITable) => `${table.tableArn}/index/*`;

export interface ChatFunctionProps {
  /** The route-table entry: name, entry file and the access it is granted. */
  readonly spec: GrantedSpec;
  /** The table the spec's `access.table` refers to. */
  readonly table: ITable;
  /** Where to post; required when `spec.access.connections` is true. @default none */
  readonly connections?: ConnectionsTarget;
  /**
   * With a cache, the function is built for Valkey: it gets the cache's environment and, when it reaches the
   * hot state, `elasticache:Connect`. @default none: built for the hot state in DynamoDB
   */
  readonly hotState?: HotStateTarget;
  /** Environment variables, besides `TABLE_NAME`, `CONNECTIONS_ENDPOINT`, the cache's and `NODE_OPTIONS`. */
  readonly environment: Readonly<Record<string, string>>;
  /** Retention of the function's log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the log group when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Longest run of one invocation. @default 30 seconds */
  readonly timeout?: Duration;
  /** Memory in MB (CPU scales with it). @default 512 */
  readonly memorySize?: number;
  /** Concurrency reserved for (and capping) the function. @default none (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Run on the asset's folder once the bundle is in it, e.g. a native module's install (`installSharp`).
   * @default none
   */
  readonly afterBundling?: (outputDir: string) => void;
}

export class ChatFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    super(scope, id);
    const { spec, table } = props;
    const tableGrant = tableGrantOf(spec);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Its own role that may write only its own log group (instead of the account-wide basic execution policy).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    this.function = new LambdaFunction(this, 'Function', {
      role,
      // The options of infra/bundling.ts, which the cold-start bench and the bundle-size test build with too.
      code: functionCode(
        spec,
        sdkSourceOf(this.node),
        props.hotState ? 'elasticache' : 'dynamodb',
        props.afterBundling,
      ),
      handler: 'index.handler',
      runtime: lambdaRuntime,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      logGroup: this.logGroup,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        ...props.environment,
        // Every function of a Valkey build: the composition root makes the client (not yet a connection) for
        // every context it builds.
        ...props.hotState?.environment,
        ...(tableGrant.actions.length === 0 ? {} : { TABLE_NAME: table.tableName }),
        ...(spec.access.connections && props.connections
          ? { CONNECTIONS_ENDPOINT: props.connections.endpoint }
          : {}),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    if (props.hotState && usesHotState(spec)) props.hotState.grantConnect(this.function);
    // Exactly the actions its adapters issue, not CDK's read/write sets (which include Scan and BatchWriteItem).
    if (tableGrant.actions.length > 0) {
      this.function.addToRolePolicy(
        new PolicyStatement({
          actions: tableGrant.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
        }),
      );
    }
    if (tableGrant.index) {
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [tableIndexesArn(table)] }),
      );
    }
    if (spec.access.connections) {
      if (!props.connections) throw new Error(`${spec.name} posts to @connections but no API was given`);
      this.function.addToRolePolicy(
        new PolicyStatement({
          actions: ['execute-api:ManageConnections'],
          resources: [
            props.connections.postArn,
            ...(spec.access.closesConnections ? [props.connections.deleteArn] : []),
          ],
        }),
      );
    }
  }
}
