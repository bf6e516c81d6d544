/**
 * Scenario 4, live state: a typing signal until the other member sees it, a presence change until a contact
 * sees it, and `GET /unread` and the inbox for a user in many conversations.
 */
import { performance } from 'node:perf_hooks';
import type { LocalChatSystem } from './chat-system.ts';
import { BenchSocket, inParallel, type ServerFrame } from './client.ts';
import { closeParticipants, connectParticipants, type Participant } from './messaging.ts';
import { type LatencySummary, summarize } from './stats.ts';
import { type Usage, type UsagePerUnit, usageBetween, usagePer } from './usage.ts';

export interface SignalResult {
  signals: number;
  latencyMs: LatencySummary;
  /** Signals whose event never reached the other side within the timeout. */
  lost: number;
  perSignal: UsagePerUnit;
}

export interface RequestResult {
  requests: number;
  latencyMs: LatencySummary;
  /** Failed requests, or answers that do not add up (wrong unread total or inbox size). */
  errors: number;
  perRequest: UsagePerUnit;
  /** The calls, capacity and DynamoDB Local's time per operation, and the functions that ran, over all requests. */
  usage: Pick<Usage, 'dynamoByOperation' | 'invocationsByFunction'>;
}

export interface LiveStateResult {
  parameters: Record<string, number | string>;
  typing: SignalResult;
  presence: SignalResult;
  unread: RequestResult;
  inbox: RequestResult;
}

const eventTimeoutMs = 10_000;

/** Runs `rounds` timed steps and the system's usage around them. */
async function measureRounds(
  system: LocalChatSystem,
  rounds: number,
  step: (round: number) => Promise<number | undefined>,
): Promise<SignalResult> {
  await system.quiesce();
  const before = system.probe.snapshot();
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const latency = await step(round);
    if (latency !== undefined) latencies.push(latency);
  }
  await system.quiesce();
  return {
    signals: rounds,
    latencyMs: summarize(latencies),
    lost: rounds - latencies.length,
    perSignal: usagePer(usageBetween(before, system.probe.snapshot()), rounds),
  };
}

/** Times `action` until `watcher` receives a frame that matches; undefined when it never does. */
async function timeUntilSeen(
  watcher: BenchSocket,
  match: (frame: ServerFrame) => boolean,
  action: () => unknown,
): Promise<number | undefined> {
  const seen = watcher.next(match, eventTimeoutMs);
  const startedAt = performance.now();
  await action();
  const arrivedAt = await seen;
  return arrivedAt === undefined ? undefined : arrivedAt - startedAt;
}

async function typingAndPresence(system: LocalChatSystem, rounds: number) {
  const participants = await connectParticipants(system, [
    { userId: 'live-typist', devices: 1 },
    { userId: 'live-contact', devices: 1 },
  ]);
  const [typist, contact] = participants as [Participant, Participant];
  const conversationId = await system.createConversation(typist.userId, [contact.userId]);
  const typistSocket = typist.sockets[0] as BenchSocket;
  const contactSocket = contact.sockets[0] as BenchSocket;

  // Alternating start and stop: each is broadcast (a repeated start within the coalescing window is not).
  const typing = await measureRounds(system, rounds, (round) => {
    const isTyping = round % 2 === 0;
    return timeUntilSeen(
      contactSocket,
      (f) => f.type === 'typing' && f.userId === typist.userId && f.isTyping === isTyping,
      () => typistSocket.send({ action: 'typing', conversationId, isTyping }),
    );
  });

  // The typist goes offline and comes back: the contact hears both changes.
  await typistSocket.close();
  const typistUrl = await system.socketUrl(typist.userId);
  let reconnected: BenchSocket | undefined;
  const presence = await measureRounds(system, rounds, (round) => {
    const status = round % 2 === 0 ? 'online' : 'offline';
    return timeUntilSeen(
      contactSocket,
      (f) => f.type === 'presence' && f.userId === typist.userId && f.status === status,
      async () => {
        if (status === 'online') reconnected = await BenchSocket.open(typistUrl, `${typist.userId}#again`);
        else await reconnected?.close();
      },
    );
  });
  await reconnected?.close();
  await closeParticipants(system, participants);
  return { typing, presence };
}

/** Runs `requests` sequential requests, checking each answer, with the system's usage around them. */
export async function measureRequests(
  system: LocalChatSystem,
  requests: number,
  request: () => Promise<boolean>,
): Promise<RequestResult> {
  await system.quiesce();
  const before = system.probe.snapshot();
  const latencies: number[] = [];
  let errors = 0;
  for (let index = 0; index < requests; index++) {
    const startedAt = performance.now();
    const correct = await request().catch(() => false);
    latencies.push(performance.now() - startedAt);
    if (!correct) errors++;
  }
  await system.quiesce();
  const usage = usageBetween(before, system.probe.snapshot());
  return {
    requests,
    latencyMs: summarize(latencies),
    errors,
    perRequest: usagePer(usage, requests),
    usage: { dynamoByOperation: usage.dynamoByOperation, invocationsByFunction: usage.invocationsByFunction },
  };
}

async function unreadAndInbox(system: LocalChatSystem, conversations: number, requests: number) {
  const reader = 'live-reader';
  // Every conversation gets one message from the other member, so each counts one unread message.
  await inParallel(conversations, 8, async (index) => {
    const peer = `live-peer-${index}`;
    const conversationId = await system.createConversation(reader, [peer]);
    await system.call(peer, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: `unread-${index}`,
      body: 'unread',
    });
  });
  const unread = await measureRequests(system, requests, async () => {
    const answer = await system.call<{ total: number }>(reader, 'GET', '/unread');
    return answer.total === conversations;
  });
  const inboxPageSize = 50;
  const inbox = await measureRequests(system, requests, async () => {
    const answer = await system.call<{ items: { unreadCount: number }[] }>(
      reader,
      'GET',
      `/conversations?limit=${inboxPageSize}`,
    );
    return answer.items.length === inboxPageSize && answer.items.every((item) => item.unreadCount === 1);
  });
  return { unread, inbox, inboxPageSize };
}

export async function liveState(
  system: LocalChatSystem,
  rounds: number,
  conversations: number,
  requests: number,
): Promise<LiveStateResult> {
  const { typing, presence } = await typingAndPresence(system, rounds);
  const { unread, inbox, inboxPageSize } = await unreadAndInbox(system, conversations, requests);
  return {
    parameters: {
      typingSignals: rounds,
      typingPattern: 'alternating start and stop',
      presenceChanges: rounds,
      presencePattern: 'the only connection of a contact opens and closes',
      readerConversations: conversations,
      unreadPerConversation: 1,
      requests,
      inboxPageSize,
    },
    typing,
    presence,
    unread,
    inbox,
  };
}
