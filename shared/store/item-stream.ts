/** Stream records read back as plain item changes, for the domain-event mapping (`shared/domain/events.ts`). */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from '../domain/events.ts';

/** A stream record's image as a plain item. */
export const imageOf = (image: unknown) =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

/** An inserted or changed item; undefined for a removal or a record without its new image. */
export function toItemChange(record: DynamoDBRecord): ItemChange | undefined {
  const item = imageOf(record.dynamodb?.NewImage);
  const id = record.dynamodb?.SequenceNumber;
  const kind =
    record.eventName === 'INSERT' ? 'insert' : record.eventName === 'MODIFY' ? 'modify' : undefined;
  if (!item || !id || !kind) return undefined;
  const previous = imageOf(record.dynamodb?.OldImage);
  // Epoch seconds, as Lambda hands it on.
  const at = new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000);
  return { id, kind, at: at.toISOString(), item, ...(previous ? { previous } : {}) };
}
