/**
 * Stream records of the items the domain events come from, shaped as the stores write them (messages, report
 * groups, suspensions), for the event mapping's and the publisher's tests.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

type Item = Record<string, unknown>;

/** A record of the table stream (NEW_AND_OLD_IMAGES), as Lambda hands it on. */
export function itemRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { item?: Item; previous?: Item; sequenceNumber?: string },
): DynamoDBRecord {
  const image = (item: Item) => marshall(item, { removeUndefinedValues: true }) as never;
  return {
    eventID: `event-${images.sequenceNumber ?? '1'}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: images.sequenceNumber ?? '1',
      ApproximateCreationDateTime: Date.parse('2026-12-01T10:05:00Z') / 1000,
      ...(images.item ? { NewImage: image(images.item) } : {}),
      ...(images.previous ? { OldImage: image(images.previous) } : {}),
    },
  };
}

export const messageItem = (changes: Item = {}): Item => ({
  pk: 'CONV#conv-1',
  sk: 'MSG#00000007',
  entity: 'message',
  conversationId: 'conv-1',
  messageId: '7-01JABCDEF',
  seq: 7,
  senderId: 'alice',
  body: 'hello',
  clientMessageId: 'c-7',
  createdAt: '2026-12-01T10:00:00.000Z',
  membersVersion: 2,
  senderConnectionId: 'conn-alice-1',
  ...changes,
});

export const reportItem = (changes: Item = {}): Item => ({
  pk: 'REPORT#r-1',
  sk: 'REPORT',
  entity: 'report',
  reportId: 'r-1',
  conversationId: 'conv-1',
  messageId: '7-01JABCDEF',
  reportedUserId: 'alice',
  reporterCount: 1,
  reasons: new Set(['spam']),
  firstReportedAt: '2026-12-01T10:01:00.000Z',
  status: 'open',
  ...changes,
});

export const suspensionItem = (changes: Item = {}): Item => ({
  pk: 'USER#alice',
  sk: 'SUSPENSION',
  entity: 'suspension',
  userId: 'alice',
  until: '2026-12-08T10:00:00.000Z',
  reason: 'spam',
  by: 'mod-1',
  at: '2026-12-01T10:02:00.000Z',
  ...changes,
});
