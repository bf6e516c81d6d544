/**
 * What `npm run ops:status` reports: a stage's stack found by name, and from its outputs the table, every queue
 * and (with `-c hotState=elasticache`) the hot-state cache, each read with one describe call, plus the problems
 * that make the stage unhealthy.
 */
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServerlessCachesCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface OpsClients {
  cloudFormation: CloudFormationClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  elastiCache: ElastiCacheClient;
}

/** The clients, once, from the environment (credentials, `AWS_ENDPOINT_URL`), in `region` when given. */
export function createOpsClients(region: string | undefined): OpsClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    dynamodb: new DynamoDBClient(config),
    // The queues are in the stack's region; an endpoint override (moto, LocalStack) must win over the host
    // that their URLs name.
    sqs: new SQSClient({ ...config, useQueueUrlAsEndpoint: false }),
    elastiCache: new ElastiCacheClient(config),
  };
}

interface TableStatus {
  name: string;
  status: string;
  billingMode: string;
  itemCount: number;
  sizeBytes: number;
  /** The stream's view type, or `off`: without a stream nothing is fanned out. */
  stream: string;
}

interface QueueStatus {
  /** The stack output that names it, e.g. `PushDeadLetterQueueUrl`. */
  output: string;
  /** The queue's name, the last part of its URL. */
  name: string;
  url: string;
  deadLetters: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
}

interface CacheStatus {
  name: string;
  status: string;
  endpoint: string;
  engine: string;
  majorVersion: string;
  /** e.g. `1-5 GB` and `1000-5000 ECPU/s`, or `none` when the cache scales without a ceiling. */
  dataStorageLimit: string;
  ecpuLimit: string;
  userGroup: string;
}

export interface StackStatus {
  stack: string;
  stackStatus: string;
  region: string;
  healthy: boolean;
  /** One sentence per problem, empty when healthy. */
  problems: string[];
  table: TableStatus;
  queues: QueueStatus[];
  /** Absent when the stack keeps its hot state in DynamoDB. */
  cache?: CacheStatus;
}

/** The stack a stage deploys as (`infra/chat-app.ts`). */
export const stackNameOf = (stage: string): string => `Chat-${stage}`;

export async function readStackStatus(clients: OpsClients, stackName: string): Promise<StackStatus> {
  const stack = await describeStack(clients.cloudFormation, stackName);
  const outputs = outputsOf(stack.Outputs ?? []);
  const tableName = outputs.get('TableName');
  if (!tableName) throw new Error(`${stackName} has no TableName output: is it a chat stack?`);
  const queueOutputs = [...outputs].filter(([name]) => name.endsWith('QueueUrl'));
  const cacheName = outputs.get('HotStateCacheName');
  const [table, queues, cache] = await Promise.all([
    describeTable(clients.dynamodb, tableName),
    Promise.all(queueOutputs.map(([output, url]) => describeQueue(clients.sqs, output, url))),
    cacheName ? describeCache(clients.elastiCache, cacheName) : undefined,
  ]);
  const problems = problemsOf(stack.StackStatus ?? 'unknown', table, queues, cache);
  return {
    stack: stackName,
    stackStatus: stack.StackStatus ?? 'unknown',
    region: outputs.get('Region') ?? (await clients.cloudFormation.config.region()),
    healthy: problems.length === 0,
    problems,
    table,
    queues,
    ...(cache ? { cache } : {}),
  };
}

async function describeStack(client: CloudFormationClient, stackName: string) {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (stack) return stack;
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError, not a NotFound.
    if (!(error instanceof Error && /does not exist/.test(error.message))) throw error;
  }
  const region = await client.config.region();
  throw new Error(`No stack ${stackName} in ${region}: check --stage and --region.`);
}

function outputsOf(outputs: Output[]): Map<string, string> {
  return new Map(
    outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue] as const] : [])),
  );
}

async function describeTable(client: DynamoDBClient, name: string): Promise<TableStatus> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const stream = table?.StreamSpecification;
  return {
    name,
    status: table?.TableStatus ?? 'unknown',
    // A table created with provisioned capacity may carry no summary at all.
    billingMode: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    itemCount: table?.ItemCount ?? 0,
    sizeBytes: table?.TableSizeBytes ?? 0,
    stream: stream?.StreamEnabled ? (stream.StreamViewType ?? 'on') : 'off',
  };
}

async function describeQueue(client: SQSClient, output: string, url: string): Promise<QueueStatus> {
  const { Attributes: attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    output,
    name: url.slice(url.lastIndexOf('/') + 1),
    url,
    deadLetters: output.includes('DeadLetter'),
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

async function describeCache(client: ElastiCacheClient, name: string): Promise<CacheStatus> {
  const { ServerlessCaches: caches = [] } = await client.send(
    new DescribeServerlessCachesCommand({ ServerlessCacheName: name }),
  );
  const cache = caches[0];
  if (!cache) return { ...noCache, name, status: 'missing' };
  const storage = cache.CacheUsageLimits?.DataStorage;
  const ecpu = cache.CacheUsageLimits?.ECPUPerSecond;
  return {
    name,
    status: cache.Status ?? 'unknown',
    endpoint: cache.Endpoint?.Address ? `${cache.Endpoint.Address}:${cache.Endpoint.Port}` : 'none',
    engine: cache.Engine ?? 'unknown',
    majorVersion: cache.MajorEngineVersion ?? 'unknown',
    dataStorageLimit: range(storage?.Minimum, storage?.Maximum, ` ${storage?.Unit ?? 'GB'}`),
    ecpuLimit: range(ecpu?.Minimum, ecpu?.Maximum, ' ECPU/s'),
    userGroup: cache.UserGroupId ?? 'none',
  };
}

const noCache = {
  endpoint: 'none',
  engine: 'unknown',
  majorVersion: 'unknown',
  dataStorageLimit: 'none',
  ecpuLimit: 'none',
  userGroup: 'none',
};

/** A usage limit as `min-max unit`, `≤ max unit`, `≥ min unit`, or `none`. */
function range(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `${min}-${max}${unit}`;
  if (max !== undefined) return `≤ ${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  return 'none';
}

function problemsOf(
  stackStatus: string,
  table: TableStatus,
  queues: QueueStatus[],
  cache: CacheStatus | undefined,
): string[] {
  const problems: string[] = [];
  if (/FAILED|ROLLBACK/.test(stackStatus)) problems.push(`the stack is ${stackStatus}`);
  if (!['ACTIVE', 'UPDATING'].includes(table.status)) problems.push(`the table is ${table.status}`);
  if (table.stream === 'off') problems.push('the table has no stream: nothing is fanned out');
  for (const queue of queues.filter((q) => q.deadLetters)) {
    const waiting = queue.visible + queue.inFlight + queue.delayed;
    if (waiting > 0)
      problems.push(`${waiting} message(s) in the dead-letter queue ${queue.name} (${queue.output})`);
  }
  if (cache && cache.status !== 'available') problems.push(`the cache ${cache.name} is ${cache.status}`);
  return problems;
}
