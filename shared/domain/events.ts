/**
 * Domain events derived from changes of the table's items (the stream is the outbox): new, removed and reported
 * messages and suspensions. Each event names its fields explicitly, so nothing else of an item (a connection
 * id, a reporter's id) leaves the backend. Plain edits, deletions by the author, resolutions of reports and
 * lifted suspensions make no event.
 */
import { entityTypes } from '../shape/table.ts';
import type { ChatEvent, EventPublisher } from './moderation-ports.ts';

type Item = Record<string, unknown>;

/** One inserted or changed item, as the stream tells it. */
export interface ItemChange {
  /** The change's position in the stream (what a partial batch failure names). */
  id: string;
  kind: 'insert' | 'modify';
  /** When the stream recorded the change, ISO. */
  at: string;
  item: Item;
  /** The item before a `modify`. */
  previous?: Item;
}

/** Fields of a message that are part of its content, given when it has them. */
const optionalMessageFields = ['mentions', 'attachments'] as const;

const pick = (item: Item, fields: readonly string[]) =>
  Object.fromEntries(
    fields.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
  );

/** A string set reads back from DynamoDB as a `Set`; events carry it as a sorted list. */
const listOf = (value: unknown): string[] =>
  [...((value as Iterable<string> | undefined) ?? [])].map(String).sort();

/** Keys that make an event's id: the same change always gives the same id, another change another id. */
const eventId = (type: ChatEvent['type'], ...keys: unknown[]) => [type, ...keys].join('/');

function messageEvent({ kind, item, previous }: ItemChange): ChatEvent | undefined {
  const { conversationId, messageId, seq, senderId } = item;
  if (kind === 'insert') {
    return {
      type: 'chat.message.created',
      id: eventId('chat.message.created', conversationId, messageId),
      time: item.createdAt as string,
      detail: {
        conversationId,
        messageId,
        seq,
        senderId,
        sentAt: item.createdAt,
        body: item.body,
        ...pick(item, optionalMessageFields),
      },
    };
  }
  if (item.removedBy === undefined || previous?.removedBy !== undefined) return undefined;
  return {
    type: 'chat.message.removed',
    id: eventId('chat.message.removed', conversationId, messageId),
    time: item.deletedAt as string,
    detail: { conversationId, messageId, seq, senderId, removedBy: item.removedBy, at: item.deletedAt },
  };
}

function reportEvent({ kind, at, item, previous }: ItemChange): ChatEvent | undefined {
  const count = item.reporterCount as number;
  if (kind === 'modify' && !(count > ((previous?.reporterCount as number | undefined) ?? 0)))
    return undefined;
  return {
    type: 'chat.message.reported',
    id: eventId('chat.message.reported', item.reportId, count),
    time: kind === 'insert' ? (item.firstReportedAt as string) : at,
    // Never who reported: reporters stay anonymous, to the reported user and to every consumer.
    detail: {
      reportId: item.reportId,
      conversationId: item.conversationId,
      messageId: item.messageId,
      reportedUserId: item.reportedUserId,
      reporterCount: count,
      reasons: listOf(item.reasons),
      firstReportedAt: item.firstReportedAt,
    },
  };
}

function suspensionEvent({ kind, item, previous }: ItemChange): ChatEvent | undefined {
  if (kind === 'modify' && item.until === previous?.until && item.at === previous?.at) return undefined;
  return {
    type: 'chat.user.suspended',
    id: eventId('chat.user.suspended', item.userId, item.at),
    time: item.at as string,
    detail: { userId: item.userId, ...pick(item, ['until']), reason: item.reason, at: item.at },
  };
}

const eventOfEntity: Record<string, (change: ItemChange) => ChatEvent | undefined> = {
  [entityTypes.message]: messageEvent,
  [entityTypes.report]: reportEvent,
  [entityTypes.suspension]: suspensionEvent,
};

/** The event a change makes, if any. */
export function eventOf(change: ItemChange): ChatEvent | undefined {
  return eventOfEntity[change.item.entity as string]?.(change);
}

/** An event's `detail` as published: its fields and its id, by which a consumer drops a redelivered event. */
export const publishedDetail = (event: ChatEvent) => ({ eventId: event.id, ...event.detail });

export interface PublishSummary {
  published: number;
  failed: number;
  /** The first change whose event failed twice: the batch is retried from there. */
  firstFailedChangeId?: string;
}

/** Publishes the changes' events; those the publisher answers failed are tried once more. */
export async function publishChanges(
  publisher: EventPublisher,
  changes: readonly ItemChange[],
): Promise<PublishSummary> {
  const pending = changes.flatMap((change) => {
    const event = eventOf(change);
    return event ? [{ changeId: change.id, event }] : [];
  });
  if (pending.length === 0) return { published: 0, failed: 0 };
  let { failed } = await publisher.publish(pending.map(({ event }) => event));
  if (failed.length > 0) ({ failed } = await publisher.publish(failed));
  const failedIds = new Set(failed.map((event) => event.id));
  const firstFailed = pending.find(({ event }) => failedIds.has(event.id));
  return {
    published: pending.length - failed.length,
    failed: failed.length,
    ...(firstFailed ? { firstFailedChangeId: firstFailed.changeId } : {}),
  };
}
