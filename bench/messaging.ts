/**
 * Drives message traffic through a chat system and measures it: sends go out in lanes (each lane waits for
 * the ack of one message before sending the next, like a client; lanes run concurrently), every expected
 * `message.new` is tracked per connection, and the system's usage is taken as a delta around the traffic.
 */
import type { ChatSystem } from './chat-system.ts';
import { type BenchSocket, openSockets } from './client.ts';
import { type DeliveryResults, DeliveryTracker } from './delivery-tracker.ts';
import { type LatencySummary, round3, summarize } from './stats.ts';
import { type Usage, type UsagePerUnit, usageBetween, usagePer } from './usage.ts';

export interface Participant {
  userId: string;
  sockets: BenchSocket[];
}

export interface Room {
  conversationId: string;
  members: Participant[];
}

export interface PlannedSend {
  from: BenchSocket;
  room: Room;
}

/**
 * What a lane waits for before its next message: the ack (a client sending as fast as it may), or the
 * delivery to every recipient (one message in the system at a time: latency without queueing).
 */
export type Pacing = 'ack' | 'delivery';

/** How long an expected delivery may take before it counts as lost. */
const deliveryTimeoutMs = 30_000;

export async function connectParticipants(
  system: ChatSystem,
  users: readonly { userId: string; devices: number }[],
): Promise<Participant[]> {
  const targets = await Promise.all(
    users.flatMap(({ userId, devices }) =>
      Array.from({ length: devices }, async (_, device) => ({
        url: await system.socketUrl(userId),
        label: `${userId}#${device}`,
      })),
    ),
  );
  const sockets = await openSockets(targets);
  return users.map(({ userId }) => ({
    userId,
    sockets: sockets.filter((socket) => socket.label.startsWith(`${userId}#`)),
  }));
}

export async function closeParticipants(system: ChatSystem, participants: readonly Participant[]) {
  await Promise.all(participants.flatMap((p) => p.sockets.map((socket) => socket.close())));
  await system.quiesce();
}

/** Every connection of every member gets `message.new`, except the sending one (it gets the ack). */
const recipientsOf = ({ from, room }: PlannedSend) =>
  room.members.flatMap((member) => member.sockets).filter((socket) => socket !== from);

/** The tracker's counts, with latencies summarized and the usage they cost. */
export interface MessagingResult extends Omit<DeliveryResults, 'ackMs' | 'recipientMs'> {
  deliveredPerSecond: number;
  ackLatencyMs: LatencySummary;
  recipientLatencyMs: LatencySummary;
  usage: Usage;
  perMessage: UsagePerUnit;
  dynamoCallsPerDelivery: number;
  /** Frames API Gateway meters per sent message: the inbound `sendMessage` frame plus every frame pushed. */
  apiGatewayMessagesPerMessage: number;
}

export async function measureMessaging(
  system: ChatSystem,
  participants: readonly Participant[],
  lanes: readonly (readonly PlannedSend[])[],
  pacing: Pacing,
  label: string,
): Promise<MessagingResult> {
  await system.quiesce();
  const before = system.probe.snapshot();
  const tracker = new DeliveryTracker(label, deliveryTimeoutMs);
  const stopWatching = tracker.watch(participants.flatMap((p) => p.sockets));
  await Promise.all(
    lanes.map(async (lane) => {
      for (const send of lane)
        await tracker.send(send.from, send.room.conversationId, recipientsOf(send), pacing);
    }),
  );
  const results = await tracker.settle();
  stopWatching();
  await system.quiesce();
  const usage = usageBetween(before, system.probe.snapshot());
  return {
    sent: results.sent,
    acked: results.acked,
    deliveries: results.deliveries,
    lost: results.lost,
    errors: results.errors,
    errorSamples: results.errorSamples,
    errorsByCode: results.errorsByCode,
    outOfOrder: results.outOfOrder,
    seqCollisions: results.seqCollisions,
    duplicates: results.duplicates,
    wallMs: Math.round(results.wallMs),
    deliveredPerSecond: results.wallMs > 0 ? Math.round((results.deliveries * 1000) / results.wallMs) : 0,
    ackLatencyMs: summarize(results.ackMs),
    recipientLatencyMs: summarize(results.recipientMs),
    usage,
    perMessage: usagePer(usage, results.sent),
    dynamoCallsPerDelivery: results.deliveries > 0 ? round3(usage.dynamoCalls / results.deliveries) : 0,
    apiGatewayMessagesPerMessage: results.sent > 0 ? round3((results.sent + usage.posts) / results.sent) : 0,
  };
}

/** One lane in which the members take turns, one message in flight at a time. */
export function takingTurns(room: Room, messages: number): PlannedSend[][] {
  return [
    Array.from({ length: messages }, (_, index) => {
      const sender = room.members[index % room.members.length] as Participant;
      return { from: sender.sockets[0] as BenchSocket, room };
    }),
  ];
}
