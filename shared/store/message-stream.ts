/**
 * The message items' stream records read back as the domain's message changes: beside `MessageStore`, which
 * writes the attributes read here (`membersVersion`, `senderConnectionId`, `moveInbox`).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { MessageChange } from '../domain/fan-out.ts';
import { toMessage } from './message-store.ts';

/** A stream record as a message change, or undefined when nothing a client sees changed. */
export function toMessageChange(record: DynamoDBRecord): MessageChange | undefined {
  const image = record.dynamodb?.NewImage;
  const id = record.dynamodb?.SequenceNumber;
  if (!image || !id) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  const old = record.dynamodb?.OldImage
    ? unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>)
    : undefined;
  const kind =
    record.eventName === 'INSERT'
      ? 'new'
      : item.deletedAt && !old?.deletedAt
        ? 'deleted'
        : item.body !== old?.body
          ? 'updated'
          : undefined;
  if (!kind) return undefined;
  return {
    id,
    kind,
    message: toMessage(item),
    membersVersion: item.membersVersion as number,
    ...(item.senderConnectionId ? { senderConnectionId: item.senderConnectionId as string } : {}),
    ...(item.moveInbox === true ? { moveInbox: true } : {}),
  };
}
