/**
 * Publishes domain events to a custom EventBridge bus: PutEvents in calls of at most 10 entries and 256 KB (its
 * limits), each event with source `chat`, its type as detail type and its id in its detail. An entry EventBridge
 * refused, or every entry of a call that failed, is answered failed for the caller to retry.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { publishedDetail } from '../domain/events.ts';
import type { ChatEvent, EventPublisher } from '../domain/moderation-ports.ts';

const eventSource = 'chat';

const maxEntriesPerCall = 10;
const maxBytesPerCall = 256 * 1024;

/** An entry's size as EventBridge counts it: its time (14 bytes), source, detail type and detail. */
const entrySize = (entry: PutEventsRequestEntry) =>
  14 + Buffer.byteLength(`${entry.Source}${entry.DetailType}${entry.Detail}`);

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly ChatEvent[]): Promise<{ failed: ChatEvent[] }> {
    const failed: ChatEvent[] = [];
    for (const chunk of this.chunks(events)) failed.push(...(await this.put(chunk)));
    return { failed };
  }

  private entryOf(event: ChatEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: eventSource,
      DetailType: event.type,
      Time: new Date(event.time),
      Detail: JSON.stringify(publishedDetail(event)),
    };
  }

  /** Consecutive runs of events that fit one call. */
  private *chunks(events: readonly ChatEvent[]) {
    let chunk: { event: ChatEvent; entry: PutEventsRequestEntry }[] = [];
    let bytes = 0;
    for (const event of events) {
      const entry = this.entryOf(event);
      const size = entrySize(entry);
      if (chunk.length === maxEntriesPerCall || (chunk.length > 0 && bytes + size > maxBytesPerCall)) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push({ event, entry });
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  /** The events of the chunk that were not published. */
  private async put(chunk: { event: ChatEvent; entry: PutEventsRequestEntry }[]): Promise<ChatEvent[]> {
    try {
      const answer = await this.client.send(
        new PutEventsCommand({ Entries: chunk.map(({ entry }) => entry) }),
      );
      if (!answer.FailedEntryCount) return [];
      // Result entries are in the order of the request's; a published one has an event id, a failed one an error.
      return chunk
        .filter((_, i) => {
          const result = answer.Entries?.[i];
          return !result?.EventId || result.ErrorCode !== undefined;
        })
        .map(({ event }) => event);
    } catch {
      return chunk.map(({ event }) => event);
    }
  }
}
