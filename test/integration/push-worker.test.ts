/**
 * The push worker as Lambda runs it, on DynamoDB Local with SNS mocked: a batch's job whose push fails is
 * reported in `batchItemFailures` (and only it), a malformed job is dropped, and the retried batch sends only
 * what had failed: the pushes that went out are claimed.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lambdaContext } from '../../local/lambda.ts';
import type { Message } from '../../shared/domain/model.ts';
import type { PushJob } from '../../shared/domain/ports.ts';
import { ConversationStore } from '../../shared/store/conversation-store.ts';
import { DeviceStore } from '../../shared/store/device-store.ts';
import { createTestTable } from '../support/dynamo.ts';

const sns = mockClient(SNSClient);
const endpointOf = (userId: string) => `arn:aws:sns:us-east-1:123456789012:endpoint/APNS/chat/${userId}`;
let invoke: (event: SQSEvent) => Promise<SQSBatchResponse>;
let conversationId: string;

beforeAll(async () => {
  const table = await createTestTable();
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL: inject('local').dynamoDbEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    APNS_PLATFORM_APPLICATION_ARN: 'arn:aws:sns:us-east-1:123456789012:app/APNS/chat',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // The run's local runtime set it (for its own worker) before this process was forked.
    PUSH_SENDER: '',
  });
  conversationId = `conv-${Math.random().toString(36).slice(2)}`;
  await new ConversationStore(table).create({
    conversationId,
    type: 'group',
    name: 'Team',
    createdBy: 'alice',
    createdAt: '2026-12-01T10:00:00.000Z',
    members: ['alice', 'bob', 'carol'].map((userId) => ({ userId, role: 'member' as const })),
  });
  const devices = new DeviceStore(table);
  for (const userId of ['bob', 'carol']) {
    const { device } = await devices.register({
      userId,
      platform: 'apns',
      token: `token-${userId}`,
      newDeviceId: `phone-${userId}`,
      now: '2026-12-01T10:00:00.000Z',
      maxDevices: 10,
    });
    await devices.setEndpoint({ userId, deviceId: device.deviceId, endpoint: endpointOf(userId) });
  }
  const { handler } = await import('../../functions/push/worker.ts');
  invoke = (event) => handler(event, lambdaContext('PushWorker')) as Promise<SQSBatchResponse>;
});
afterAll(() => sns.restore());

const message: () => Message = () => ({
  conversationId,
  messageId: '000000000001-x',
  seq: 1,
  senderId: 'alice',
  body: 'hello',
  clientMessageId: 'c1',
  createdAt: '2026-12-01T10:00:01.000Z',
});
const record = (messageId: string, body: string) =>
  ({ messageId, body, receiptHandle: messageId, eventSource: 'aws:sqs' }) as SQSEvent['Records'][number];
const job = (recipientIds: string[]): string =>
  JSON.stringify({ message: message(), recipientIds, onlineCount: 0 } satisfies PushJob);
const publishesTo = (userId: string) =>
  sns.commandCalls(PublishCommand).filter((call) => call.args[0].input.TargetArn === endpointOf(userId))
    .length;

describe('the push worker', () => {
  it('reports only the job whose push failed, drops a malformed one, and resends only what failed', async () => {
    sns.on(PublishCommand, { TargetArn: endpointOf('bob') }).resolves({ MessageId: 'm' });
    sns.on(PublishCommand, { TargetArn: endpointOf('carol') }).rejects(new Error('push service down'));
    const event: SQSEvent = {
      Records: [
        record('bad', '{"not":"a job"}'),
        record('to-bob', job(['bob'])),
        record('to-carol', job(['carol'])),
      ],
    };

    expect(await invoke(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'to-carol' }] });
    expect([publishesTo('bob'), publishesTo('carol')]).toEqual([1, 1]);

    sns.on(PublishCommand, { TargetArn: endpointOf('carol') }).resolves({ MessageId: 'm' });
    expect(await invoke(event)).toEqual({ batchItemFailures: [] });
    expect([publishesTo('bob'), publishesTo('carol')]).toEqual([1, 2]);
  });
});
