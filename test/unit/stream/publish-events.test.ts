/**
 * The event publisher as Lambda runs it, EventBridge mocked: a batch's events are put on the bus, refused ones
 * are tried once more, and a batch whose events still fail resumes at the first record whose event failed.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../local/lambda.ts';
import { itemRecord, messageItem, reportItem, suspensionItem } from '../../support/item-records.ts';

const eventBridge = mockClient(EventBridgeClient);
let invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** A message sent (1), an edit of another (2: no event), a report (3) and a suspension (4). */
const batch: DynamoDBStreamEvent = {
  Records: [
    itemRecord('INSERT', { item: messageItem(), sequenceNumber: '1' }),
    itemRecord('MODIFY', {
      previous: messageItem({ messageId: '6-X', seq: 6 }),
      item: messageItem({ messageId: '6-X', seq: 6, body: 'edited', editedAt: '2026-12-01T10:04:00.000Z' }),
      sequenceNumber: '2',
    }),
    itemRecord('INSERT', { item: reportItem(), sequenceNumber: '3' }),
    itemRecord('INSERT', { item: suspensionItem(), sequenceNumber: '4' }),
  ],
};

const detailTypesOfCall = (i: number) =>
  (
    (eventBridge.commandCalls(PutEventsCommand)[i]?.args[0].input.Entries ?? []) as PutEventsRequestEntry[]
  ).map((entry) => entry.DetailType);

/** Answers each call refusing the entries whose detail type is in `refused`. */
const refusing =
  (...refused: string[]) =>
  (input: { Entries: PutEventsRequestEntry[] }) => {
    const entries = input.Entries.map((entry, i) =>
      refused.includes(entry.DetailType ?? '') ? { ErrorCode: 'InternalFailure' } : { EventId: `eb-${i}` },
    );
    return { FailedEntryCount: entries.filter((entry) => 'ErrorCode' in entry).length, Entries: entries };
  };

beforeAll(async () => {
  process.env.EVENT_BUS_NAME = 'chat-events';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const { handler } = await import('../../../functions/stream/publish-events.ts');
  invoke = (event) => handler(event, lambdaContext('EventPublisher'));
});

beforeEach(() => eventBridge.reset());

describe('publish-events handler', () => {
  it('puts the events of the batch on the bus in stream order, none for the edit, and fails no record', async () => {
    eventBridge.on(PutEventsCommand).callsFake(refusing());
    await expect(invoke(batch)).resolves.toEqual({ batchItemFailures: [] });
    expect(detailTypesOfCall(0)).toEqual([
      'chat.message.created',
      'chat.message.reported',
      'chat.user.suspended',
    ]);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: expect.arrayContaining([expect.objectContaining({ EventBusName: 'chat-events' })]),
    });
  });

  it('tries a refused event once more, alone, and fails no record when it then goes', async () => {
    eventBridge.on(PutEventsCommand).callsFakeOnce(refusing('chat.message.reported')).callsFake(refusing());
    await expect(invoke(batch)).resolves.toEqual({ batchItemFailures: [] });
    expect(detailTypesOfCall(1)).toEqual(['chat.message.reported']);
  });

  it('names the first record whose event failed twice, so the batch resumes there', async () => {
    eventBridge.on(PutEventsCommand).callsFake(refusing('chat.message.reported', 'chat.user.suspended'));
    await expect(invoke(batch)).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: '3' }],
    });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });
});
