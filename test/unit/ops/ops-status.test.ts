/**
 * `npm run ops:status`: what it reads from a stage's stack outputs, what it prints, and the exit code a pipeline
 * gates on (1 for a non-empty dead-letter queue or a cache that is not available, 2 for no such stack).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServerlessCachesCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runOpsStatus } from '../../../scripts/ops-status/command.ts';
import { createOpsClients } from '../../../scripts/ops-status/stack-status.ts';

const cloudFormation = mockClient(CloudFormationClient);
const dynamodb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const elastiCache = mockClient(ElastiCacheClient);

const queueUrl = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;
const outputs = {
  TableName: 'Chat-prod-Table',
  Region: 'eu-west-1',
  DeadLetterQueueUrl: queueUrl('fan-out-dlq'),
  PushQueueUrl: queueUrl('push-jobs'),
  PushDeadLetterQueueUrl: queueUrl('push-dlq'),
  HotStateCacheName: 'chat-prod-hot-state',
};
const stackWith = (values: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'Chat-prod',
      StackStatus: 'UPDATE_COMPLETE' as const,
      CreationTime: new Date(),
      Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});
const cache = (Status: string) => ({
  ServerlessCaches: [
    {
      ServerlessCacheName: 'chat-prod-hot-state',
      Status,
      Engine: 'valkey',
      MajorEngineVersion: '8',
      Endpoint: { Address: 'chat-prod-hot-state-x.serverless.euw1.cache.amazonaws.com', Port: 6379 },
      CacheUsageLimits: {
        DataStorage: { Maximum: 5, Unit: 'GB' as const },
        ECPUPerSecond: { Minimum: 1000, Maximum: 5000 },
      },
      UserGroupId: 'chat-prod-iam',
    },
  ],
});
/** Every queue empty except those named here, with that many visible messages. */
const queues = (visible: Record<string, number> = {}) =>
  sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({
    Attributes: {
      ApproximateNumberOfMessages: String(visible[QueueUrl.split('/').pop() ?? ''] ?? 0),
      ApproximateNumberOfMessagesNotVisible: QueueUrl.endsWith('push-jobs') ? '2' : '0',
      ApproximateNumberOfMessagesDelayed: '0',
    },
  }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runOpsStatus(args, createOpsClients, {
    log: (text) => out.push(text),
    error: (text) => err.push(text),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

beforeEach(() => {
  for (const client of [cloudFormation, dynamodb, sqs, elastiCache]) client.reset();
  cloudFormation.on(DescribeStacksCommand).resolves(stackWith(outputs));
  dynamodb.on(DescribeTableCommand).resolves({
    Table: {
      TableName: 'Chat-prod-Table',
      TableStatus: 'ACTIVE',
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ItemCount: 12345,
      TableSizeBytes: 3 * 1024 * 1024,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    },
  });
  queues();
  elastiCache.on(DescribeServerlessCachesCommand).resolves(cache('available'));
});

describe('ops:status', () => {
  it("prints the stage's table, queues and cache side by side from its stack's outputs and exits 0 when all is well", async () => {
    const { code, stdout } = await run('--stage', 'prod', '--region', 'eu-west-1');

    expect(code).toBe(0);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Chat-prod' });
    expect(elastiCache).toHaveReceivedCommandWith(DescribeServerlessCachesCommand, {
      ServerlessCacheName: 'chat-prod-hot-state',
    });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Chat-prod (eu-west-1, UPDATE_COMPLETE): healthy');
    expect(lines[1]).toMatch(/^part +name +state +details$/);
    expect(stdout).toMatch(
      /table +Chat-prod-Table +ACTIVE +PAY_PER_REQUEST, 12,345 items, 3\.0 MiB, stream NEW_AND_OLD_IMAGES/,
    );
    expect(stdout).toMatch(/dead letters +fan-out-dlq +empty +0 visible, 0 in flight, 0 delayed/);
    expect(stdout).toMatch(
      /queue +push-jobs +2 messages +0 visible, 2 in flight, 0 delayed \(PushQueueUrl\)/,
    );
    expect(stdout).toMatch(
      /cache +chat-prod-hot-state +available +valkey 8, endpoint chat-prod-hot-state-x\.serverless\.euw1\.cache\.amazonaws\.com:6379, data ≤ 5 GB, 1000-5000 ECPU\/s, user group chat-prod-iam/,
    );
  });

  it('exits 1 and says why when a dead-letter queue holds messages or the cache is not available', async () => {
    queues({ 'push-dlq': 3 });
    elastiCache.on(DescribeServerlessCachesCommand).resolves(cache('modifying'));

    const { code, stdout } = await run('--stage', 'prod');

    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('Chat-prod (eu-west-1, UPDATE_COMPLETE): UNHEALTHY');
    expect(stdout).toContain('- 3 message(s) in the dead-letter queue push-dlq (PushDeadLetterQueueUrl)');
    expect(stdout).toContain('- the cache chat-prod-hot-state is modifying');
  });

  it('gives machines the same report as JSON with --json', async () => {
    queues({ 'fan-out-dlq': 1 });

    const { code, stdout } = await run('--stage', 'prod', '--json');

    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      stack: 'Chat-prod',
      healthy: false,
      problems: ['1 message(s) in the dead-letter queue fan-out-dlq (DeadLetterQueueUrl)'],
      table: {
        status: 'ACTIVE',
        billingMode: 'PAY_PER_REQUEST',
        itemCount: 12345,
        stream: 'NEW_AND_OLD_IMAGES',
      },
      cache: { status: 'available', engine: 'valkey', majorVersion: '8', userGroup: 'chat-prod-iam' },
    });
    expect(report.queues).toHaveLength(3);
  });

  it('reads no cache for a stack that keeps its hot state in DynamoDB', async () => {
    const { HotStateCacheName: _, ...withoutCache } = outputs;
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(withoutCache));

    const { code, stdout } = await run('--stage', 'prod', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout).cache).toBeUndefined();
    expect(elastiCache).not.toHaveReceivedCommand(DescribeServerlessCachesCommand);
  });

  it('exits 2 when it cannot tell: no stack for the stage (naming it and the region), no stage, no access', async () => {
    const missing = Object.assign(new Error('Stack with id Chat-qa does not exist'), {
      name: 'ValidationError',
    });
    cloudFormation.on(DescribeStacksCommand).rejects(missing);

    expect(await run('--stage', 'qa', '--region', 'eu-central-1')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'No stack Chat-qa in eu-central-1: check --stage and --region.',
    });
    expect((await run()).code).toBe(2);
    const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:DescribeTable'), {
      name: 'AccessDeniedException',
    });
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(outputs));
    dynamodb.on(DescribeTableCommand).rejects(denied);
    expect(await run('--stage', 'prod')).toMatchObject({ code: 2, stderr: denied.message });
    expect((await run('--stage', 'prod', '--verbose')).stderr).toContain("Unknown option '--verbose'");
  });
});
