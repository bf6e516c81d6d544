/** The message scenarios of `npm run bench` against our runtime: direct chat, a 50-member group, a crowd. */
import type { ChatSystem } from './chat-system.ts';
import type { BenchSocket } from './client.ts';
import { describe, ms, table } from './markdown.ts';
import {
  closeParticipants,
  connectParticipants,
  type MessagingResult,
  measureMessaging,
  type Participant,
  type PlannedSend,
  type Room,
  takingTurns,
} from './messaging.ts';

export interface ScenarioResult {
  name: string;
  parameters: Record<string, number | string>;
  result: MessagingResult;
}

const users = (prefix: string, count: number, devicesOf: (index: number) => number = () => 1) =>
  Array.from({ length: count }, (_, index) => ({ userId: `${prefix}-${index}`, devices: devicesOf(index) }));

/** One conversation whose members take turns, each message sent once the previous one reached everyone. */
async function turnTakingRoom(
  system: ChatSystem,
  name: string,
  people: { userId: string; devices: number }[],
  messages: number,
  parameters: Record<string, number | string>,
): Promise<ScenarioResult> {
  const participants = await connectParticipants(system, people);
  const [creator, ...others] = participants as [Participant, ...Participant[]];
  const room: Room = {
    conversationId: await system.createConversation(
      creator.userId,
      others.map((p) => p.userId),
    ),
    members: participants,
  };
  const result = await measureMessaging(system, participants, takingTurns(room, messages), 'delivery', name);
  await closeParticipants(system, participants);
  return {
    name,
    parameters: {
      ...parameters,
      messages,
      inFlight: 1,
      pacing: 'next message once the previous one reached everyone',
    },
    result,
  };
}

export function directChat(system: ChatSystem, messages: number): Promise<ScenarioResult> {
  return turnTakingRoom(system, 'direct', users('direct', 2), messages, {
    members: 2,
    connections: 2,
    senders: 'the two members take turns',
  });
}

export function groupChat(
  system: ChatSystem,
  members: number,
  withTwoDevices: number,
  messages: number,
): Promise<ScenarioResult> {
  const people = users('group', members, (index) => (index < withTwoDevices ? 2 : 1));
  return turnTakingRoom(system, 'group', people, messages, {
    members,
    connections: members + withTwoDevices,
    membersWithTwoDevices: withTwoDevices,
    senders: 'members take turns',
  });
}

/** Pairs of users in direct conversations; every user sends its messages one after another, all at once. */
export async function crowd(
  system: ChatSystem,
  userCount: number,
  messagesPerUser: number,
): Promise<ScenarioResult> {
  const participants = await connectParticipants(system, users('crowd', userCount));
  const lanes: PlannedSend[][] = [];
  for (let index = 0; index + 1 < participants.length; index += 2) {
    const pair = [participants[index], participants[index + 1]] as [Participant, Participant];
    const room: Room = {
      conversationId: await system.createConversation(pair[0].userId, [pair[1].userId]),
      members: pair,
    };
    for (const member of pair) {
      const from = member.sockets[0] as BenchSocket;
      lanes.push(Array.from({ length: messagesPerUser }, () => ({ from, room })));
    }
  }
  const result = await measureMessaging(system, participants, lanes, 'ack', 'crowd');
  await closeParticipants(system, participants);
  return {
    name: 'crowd',
    parameters: {
      users: userCount,
      conversations: Math.floor(userCount / 2),
      messagesPerUser,
      messages: lanes.length * messagesPerUser,
      inFlight: lanes.length,
      pacing: 'each user sends its next message on the ack of the previous one',
      senders: 'every user at once',
    },
    result,
  };
}

/** A hot conversation: every member of one group sends at once, each its next message on the previous ack. */
export async function concurrentSenders(
  system: ChatSystem,
  senders: number,
  messagesEach: number,
): Promise<ScenarioResult> {
  const participants = await connectParticipants(system, users('hot', senders));
  const [creator, ...others] = participants as [Participant, ...Participant[]];
  const room: Room = {
    conversationId: await system.createConversation(
      creator.userId,
      others.map((p) => p.userId),
    ),
    members: participants,
  };
  const lanes = participants.map((member) =>
    Array.from({ length: messagesEach }, () => ({ from: member.sockets[0] as BenchSocket, room })),
  );
  const result = await measureMessaging(system, participants, lanes, 'ack', 'concurrent');
  await closeParticipants(system, participants);
  return {
    name: 'concurrent senders',
    parameters: {
      members: senders,
      senders,
      messagesEach,
      messages: senders * messagesEach,
      inFlight: senders,
      pacing: 'each sender sends its next message on the ack of the previous one',
    },
    result,
  };
}

export function concurrencyMarkdown({ parameters, result: r }: ScenarioResult, note = ''): string {
  const codes = Object.entries(r.errorsByCode).map(([code, count]) => `${code}: ${count}`);
  return `## Concurrent senders in one conversation

${note}${describe(parameters)}. Goal: every send acked, ack p95 ≤ 1 s, no \`internal\`.

${table(
  [
    'acked / sent',
    'ack p50 / p95 / max',
    'errors by code',
    'recipient deliveries',
    'lost',
    'duplicated',
    'arrived after a later seq',
    'acks sharing a seq',
    'wall',
  ],
  [
    [
      `${r.acked} / ${r.sent}`,
      `${ms(r.ackLatencyMs.p50)} / ${ms(r.ackLatencyMs.p95)} / ${ms(r.ackLatencyMs.max)}`,
      codes.length ? codes.join(', ') : 'none',
      r.deliveries,
      r.lost,
      r.duplicates,
      r.outOfOrder,
      r.seqCollisions,
      ms(r.wallMs),
    ],
  ],
)}

"Arrived after a later seq" counts raw \`message.new\` frames that reached a socket after a higher \`seq\` of the same conversation had: concurrent sends are posted concurrently, and the SDK puts them back in \`seq\` order before the application sees them.`;
}

/** The crowd alone (`--only crowd`); the full run reports it with the other scenarios. */
export function crowdMarkdown(scenarios: ScenarioResult[], note = ''): string {
  return `## Crowd

${note}${scenarios
  .map(
    ({ parameters, result: r }) =>
      `${describe(parameters)}: ${r.sent} sent, ${r.deliveries} delivered, ${r.lost} lost, ${r.errors} errors in ${ms(r.wallMs)}; ack p50 / p95 ${ms(r.ackLatencyMs.p50)} / ${ms(r.ackLatencyMs.p95)}, recipient p50 / p95 ${ms(r.recipientLatencyMs.p50)} / ${ms(r.recipientLatencyMs.p95)}.`,
  )
  .join('\n\n')}`;
}
