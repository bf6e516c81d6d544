/** The EventBridge adapter: PutEvents within its limits, and exactly the refused events answered failed. */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../shared/domain/moderation-ports.ts';
import { EventBridgePublisher } from '../../../shared/moderation/eventbridge-publisher.ts';

const eventBridge = mockClient(EventBridgeClient);
const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'chat-events');

const created = (n: number, body = `hello ${n}`): ChatEvent => ({
  type: 'chat.message.created',
  id: `chat.message.created/conv-1/${n}-X`,
  time: '2026-12-01T10:00:00.000Z',
  detail: { conversationId: 'conv-1', messageId: `${n}-X`, seq: n, senderId: 'alice', body },
});

const entriesOfCall = (i: number) =>
  (eventBridge.commandCalls(PutEventsCommand)[i]?.args[0].input.Entries ?? []) as PutEventsRequestEntry[];

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `eb-${i}` })),
  }));
});

describe('EventBridgePublisher', () => {
  it('puts each event on the bus with source chat, its type as detail type, its time and its id in its detail', async () => {
    expect(await publisher.publish([created(1)])).toEqual({ failed: [] });
    expect(entriesOfCall(0)).toEqual([
      {
        EventBusName: 'chat-events',
        Source: 'chat',
        DetailType: 'chat.message.created',
        Time: new Date('2026-12-01T10:00:00.000Z'),
        Detail: JSON.stringify({ eventId: 'chat.message.created/conv-1/1-X', ...created(1).detail }),
      },
    ]);
  });

  it('puts 23 events in calls of 10, 10 and 3, in order', async () => {
    const events = Array.from({ length: 23 }, (_, i) => created(i + 1));
    expect(await publisher.publish(events)).toEqual({ failed: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect([0, 1, 2].map((i) => entriesOfCall(i).length)).toEqual([10, 10, 3]);
    expect(entriesOfCall(2).map((entry) => JSON.parse(entry.Detail ?? '{}').seq)).toEqual([21, 22, 23]);
  });

  it('starts another call before a call would pass 256 KB', async () => {
    const large = 'x'.repeat(100 * 1024);
    expect(await publisher.publish([created(1, large), created(2, large), created(3, large)])).toEqual({
      failed: [],
    });
    expect([0, 1].map((i) => entriesOfCall(i).length)).toEqual([2, 1]);
  });

  it('answers failed exactly the entries EventBridge refused', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [
        { EventId: 'eb-0' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'eb-2' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
      ],
    });
    const events = [1, 2, 3, 4].map((n) => created(n));
    expect(await publisher.publish(events)).toEqual({ failed: [events[1], events[3]] });
  });

  it('answers failed every event of a call that failed, and still puts the next call', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(new Error('socket hang up'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-0' }] });
    const events = Array.from({ length: 11 }, (_, i) => created(i + 1));
    expect(await publisher.publish(events)).toEqual({ failed: events.slice(0, 10) });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });
});
