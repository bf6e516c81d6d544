/** The message scenarios of `npm run bench` against our runtime: direct chat, a 50-member group, a crowd. */
import type { ChatSystem } from './chat-system.ts';
import type { BenchSocket } from './client.ts';
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

export async function directChat(system: ChatSystem, messages: number): Promise<ScenarioResult> {
  const participants = await connectParticipants(system, users('direct', 2));
  const [alice, bob] = participants as [Participant, Participant];
  const room: Room = {
    conversationId: await system.createConversation(alice.userId, [bob.userId]),
    members: participants,
  };
  const result = await measureMessaging(
    system,
    participants,
    takingTurns(room, messages),
    'delivery',
    'direct',
  );
  await closeParticipants(system, participants);
  return {
    name: 'direct',
    parameters: {
      members: 2,
      connections: 2,
      messages,
      inFlight: 1,
      pacing: 'next message once the previous one reached everyone',
      senders: 'the two members take turns',
    },
    result,
  };
}

export async function groupChat(
  system: ChatSystem,
  members: number,
  withTwoDevices: number,
  messages: number,
): Promise<ScenarioResult> {
  const participants = await connectParticipants(
    system,
    users('group', members, (index) => (index < withTwoDevices ? 2 : 1)),
  );
  const [creator, ...others] = participants as [Participant, ...Participant[]];
  const room: Room = {
    conversationId: await system.createConversation(
      creator.userId,
      others.map((p) => p.userId),
    ),
    members: participants,
  };
  const result = await measureMessaging(
    system,
    participants,
    takingTurns(room, messages),
    'delivery',
    'group',
  );
  await closeParticipants(system, participants);
  return {
    name: 'group',
    parameters: {
      members,
      connections: members + withTwoDevices,
      membersWithTwoDevices: withTwoDevices,
      messages,
      inFlight: 1,
      pacing: 'next message once the previous one reached everyone',
      senders: 'members take turns',
    },
    result,
  };
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
