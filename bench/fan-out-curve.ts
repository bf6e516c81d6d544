/** The capacity curve: capacity and latency per message as more and more users are connected, for any system. */
import type { ChatSystem } from './chat-system.ts';
import {
  closeParticipants,
  connectParticipants,
  measureMessaging,
  type Participant,
  takingTurns,
} from './messaging.ts';

/** Capacity, calls and recipient latency per message at one number of connected users. */
export interface FanOutPoint {
  connectedUsers: number;
  messages: number;
  dynamoCallsPerMessage: number;
  capacityUnitsPerMessage: number;
  recipientP50Ms: number;
  recipientP95Ms: number;
  lost: number;
  errors: number;
}

export interface FanOutCurve {
  system: string;
  direct: FanOutPoint[];
  group: FanOutPoint[];
}

/**
 * More and more users connected (none of them a member: they only exist), and at each level a direct
 * conversation and a group of `groupSize` measured, one message in flight at a time. The members are real
 * sockets; the other connected users are connection records written straight into the system's tables.
 */
export async function fanOutCurve(
  system: ChatSystem,
  levels: readonly number[],
  groupSize: number,
  messages: number,
): Promise<FanOutCurve> {
  const curve: FanOutCurve = { system: system.name, direct: [], group: [] };
  const members = await connectParticipants(
    system,
    Array.from({ length: groupSize }, (_, index) => ({ userId: `crowded-${index}`, devices: 1 })),
  );
  const rooms = await createRooms(system, members, groupSize);
  let connected = members.length;
  for (const level of levels) {
    const idle = Array.from(
      { length: Math.max(0, level - connected) },
      (_, index) => `idle-${connected + index}`,
    );
    await system.addIdleUsers(idle);
    connected += idle.length;
    for (const kind of ['direct', 'group'] as const) {
      const room = rooms[kind];
      const result = await measureMessaging(
        system,
        room.members,
        takingTurns(room, messages),
        'delivery',
        `${system.name}-${kind}-${level}`,
      );
      curve[kind].push({
        connectedUsers: level,
        messages: result.sent,
        dynamoCallsPerMessage: result.perMessage.dynamoCalls,
        capacityUnitsPerMessage:
          Math.round((result.perMessage.readUnits + result.perMessage.writeUnits) * 1000) / 1000,
        recipientP50Ms: result.recipientLatencyMs.p50,
        recipientP95Ms: result.recipientLatencyMs.p95,
        lost: result.lost,
        errors: result.errors,
      });
    }
  }
  await closeParticipants(system, members);
  return curve;
}

async function createRooms(system: ChatSystem, participants: Participant[], groupSize: number) {
  const [first, second] = participants as [Participant, Participant];
  const groupMembers = participants.slice(0, groupSize);
  const [creator, ...others] = groupMembers as [Participant, ...Participant[]];
  return {
    direct: {
      conversationId: await system.createConversation(first.userId, [second.userId]),
      members: [first, second],
    },
    group: {
      conversationId: await system.createConversation(
        creator.userId,
        others.map((p) => p.userId),
      ),
      members: groupMembers,
    },
  };
}
