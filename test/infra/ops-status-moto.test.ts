/**
 * `npm run ops:status` as an operator runs it, against moto_server: a stack whose template declares the
 * table and queues with the chat stack's output names, found by its stage, read through `AWS_ENDPOINT_URL`.
 * moto (5.2) answers DescribeServerlessCaches with "not implemented", so the cache's part of the report is the
 * unit test's (test/unit/ops/ops-status.test.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { type MotoServer, requireAwsTool, startMotoServer } from '../support/aws-tools.ts';

let moto: MotoServer | undefined;
afterAll(() => moto?.stop());

const region = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const queue = (QueueName: string) => ({ Type: 'AWS::SQS::Queue', Properties: { QueueName } });
const template = {
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'Chat-moto-Table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      },
    },
    FanOutDeadLetters: queue('fan-out-dlq'),
    PushJobs: queue('push-jobs'),
    PushDeadLetters: queue('push-dlq'),
  },
  Outputs: {
    TableName: { Value: { Ref: 'Table' } },
    Region: { Value: { Ref: 'AWS::Region' } },
    DeadLetterQueueUrl: { Value: { Ref: 'FanOutDeadLetters' } },
    PushQueueUrl: { Value: { Ref: 'PushJobs' } },
    PushDeadLetterQueueUrl: { Value: { Ref: 'PushDeadLetters' } },
  },
};

/** The command in its own process, as `npm run ops:status -- ...` runs it (about 2 s each, more on a loaded machine). */
async function opsStatus(endpoint: string, ...args: string[]) {
  // Only moto answers: no service-specific endpoint inherited from elsewhere (the local runtime of a full run
  // sets AWS_ENDPOINT_URL_SQS in the test process) may take a client past it.
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL'));
  const env = {
    ...Object.fromEntries(inherited),
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  return promisify(execFile)('node_modules/.bin/tsx', ['scripts/ops-status.ts', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (failure: { code: number; stdout: string; stderr: string }) => failure,
  );
}

describe('ops:status against moto_server', () => {
  it("finds the stage's stack, reports its table and queues, and exits 1 once a dead-letter queue holds a message", {
    timeout: 90_000,
  }, async (ctx) => {
    requireAwsTool(ctx, 'moto_server');
    moto = await startMotoServer();
    const { endpoint } = moto;
    await new CloudFormationClient({ endpoint, region, credentials }).send(
      new CreateStackCommand({ StackName: 'Chat-moto', TemplateBody: JSON.stringify(template) }),
    );

    const healthy = await opsStatus(endpoint, '--stage', 'moto', '--region', region);
    expect(healthy).toMatchObject({ code: 0, stderr: '' });
    const lines = healthy.stdout.trim().split('\n');
    expect(lines[0]).toBe('Chat-moto (us-east-1, CREATE_COMPLETE): healthy');
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(
        /^table +Chat-moto-Table +ACTIVE +PAY_PER_REQUEST, 0 items, 0 B, stream NEW_AND_OLD_IMAGES$/,
      ),
      expect.stringMatching(
        /^dead letters +fan-out-dlq +empty +0 visible, 0 in flight, 0 delayed \(DeadLetterQueueUrl\)$/,
      ),
      expect.stringMatching(/^queue +push-jobs +empty +0 visible, 0 in flight, 0 delayed \(PushQueueUrl\)$/),
      expect.stringMatching(
        /^dead letters +push-dlq +empty +0 visible, 0 in flight, 0 delayed \(PushDeadLetterQueueUrl\)$/,
      ),
    ]);

    const sqs = new SQSClient({ endpoint, region, credentials });
    const pushDeadLetters = `${endpoint}/123456789012/push-dlq`;
    await sqs.send(new SendMessageCommand({ QueueUrl: pushDeadLetters, MessageBody: '{"job":"failed"}' }));
    const unhealthy = await opsStatus(endpoint, '--stage', 'moto', '--region', region, '--json');
    expect(unhealthy.code).toBe(1);
    expect(JSON.parse(unhealthy.stdout)).toMatchObject({
      healthy: false,
      problems: ['1 message(s) in the dead-letter queue push-dlq (PushDeadLetterQueueUrl)'],
    });

    expect(await opsStatus(endpoint, '--stage', 'prod', '--region', region)).toMatchObject({
      code: 2,
      stderr: 'No stack Chat-prod in us-east-1: check --stage and --region.\n',
    });
  });
});
