/**
 * The local runtime's event publisher: records each event in this process (the local functions all run in it),
 * for `GET /_local/events?type=` and the tests, as EventBridge would receive it.
 */
import { publishedDetail } from '../domain/events.ts';
import type { ChatEvent, EventPublisher } from '../domain/moderation-ports.ts';

interface RecordedEvent {
  type: ChatEvent['type'];
  time: string;
  detail: ReturnType<typeof publishedDetail>;
}

/** Events kept, oldest dropped first, so a long local run does not grow without bound. */
const maxRecorded = 1_000;

const recordedEvents: RecordedEvent[] = [];
/** Every event published in this process, including those dropped from `recordedEvents` (the bench counts them). */
let publishedCount = 0;

export class RecordingEventPublisher implements EventPublisher {
  async publish(events: readonly ChatEvent[]): Promise<{ failed: ChatEvent[] }> {
    for (const event of events)
      recordedEvents.push({ type: event.type, time: event.time, detail: publishedDetail(event) });
    publishedCount += events.length;
    recordedEvents.splice(0, Math.max(0, recordedEvents.length - maxRecorded));
    return { failed: [] };
  }
}

/** How many events this process published so far: what EventBridge would bill. */
export const publishedEventCount = () => publishedCount;

/** The recorded events, oldest first; only those of `type` when it is given. */
export const recordedEventsOf = (type?: string) =>
  type ? recordedEvents.filter((event) => event.type === type) : [...recordedEvents];
