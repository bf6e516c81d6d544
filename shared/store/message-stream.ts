/**
 * The message and intent items' stream records read back as the domain's changes: beside `MessageStore`, which
 * writes the attributes read here (`membersVersion`, `senderConnectionId`, `moveInbox`, `delivery`).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamChange } from '../domain/fan-out.ts';
import type { MessageAttachment } from '../domain/model.ts';
import { entityTypes } from '../shape/table.ts';
import type { Item } from './dynamo.ts';
import { imageOf } from './item-stream.ts';
import { toIntent, toMessage } from './message-store.ts';

/** Whether an attachment of the message got its preview (`hasThumbnail` and the image's size). */
function previewsChanged(item: Item, old: Item | undefined): boolean {
  const previews = (image: Item) =>
    JSON.stringify(
      (image.attachments as MessageAttachment[] | undefined)?.map((entry) => entry.hasThumbnail),
    );
  return old !== undefined && previews(item) !== previews(old);
}

/** A stream record as a change to deliver or complete, or undefined when nothing a client sees changed. */
export function toMessageChange(record: DynamoDBRecord): StreamChange | undefined {
  const item = imageOf(record.dynamodb?.NewImage);
  const id = record.dynamodb?.SequenceNumber;
  if (!item || !id) return undefined;
  if (item.entity === entityTypes.messageIdempotency)
    return record.eventName === 'INSERT' && item.message
      ? { id, kind: 'intent', intent: toIntent(item) }
      : undefined;
  const old = imageOf(record.dynamodb?.OldImage);
  const kind =
    record.eventName === 'INSERT'
      ? 'new'
      : item.deletedAt && !old?.deletedAt
        ? 'deleted'
        : item.body !== old?.body || previewsChanged(item, old)
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
    ...(kind === 'new' && item.delivery === 'direct' ? { deliveredOnSend: true } : {}),
  };
}
