/**
 * `npm run bench -- --only hot-state`: typing, presence, `GET /unread`, a heartbeat, a hand-over reconnect and a
 * direct send with the hot state in DynamoDB and on Valkey, side by side in one run. Each backend is its own
 * local runtime in a child process started with `CHAT_HOT_STATE` (the functions read it once per process);
 * the DynamoDB capacity per operation comes from the counting proxy, the Valkey commands and bytes from the
 * server's own INFO counters around each measurement.
 */
import { fileURLToPath } from 'node:url';
import { Valkey } from 'iovalkey';
import { readSettings } from '../shared/config.ts';
import type { LocalChatSystem } from './chat-system.ts';
import { childFlag, reportToParent, runChild } from './child-run.ts';
import { BenchSocket } from './client.ts';
import { type LiveStateResult, liveState, measureRequests, type RequestResult } from './live-state.ts';
import { withLocalSystem } from './measured-runtime.ts';
import { directChat, type ScenarioResult } from './scenarios.ts';

const backends = ['dynamodb', 'valkey'] as const;
type Backend = (typeof backends)[number];

/** What the Valkey server did around one measurement, per operation (0 for the DynamoDB backend). */
interface ValkeyWork {
  commands: number;
  kilobytes: number;
  /** ElastiCache bills 1 ECPU per command of up to 1 KB, more for larger ones: the larger of the two. */
  ecpus: number;
}

export interface BackendResult {
  backend: Backend;
  live: LiveStateResult;
  heartbeat: RequestResult;
  reconnect: RequestResult;
  send: ScenarioResult;
  valkey: { heartbeat: ValkeyWork; reconnect: ValkeyWork; message: ValkeyWork };
  /** The server's keys and dataset bytes at the end of the run (what ElastiCache would store). */
  valkeyData?: { keys: number; datasetBytes: number };
}

export interface HotStateMeasures {
  parameters: Record<string, number | string>;
  heartbeatIntervalSeconds: number;
  backends: BackendResult[];
}

const parameters = {
  /** Typing signals, and as many presence changes (liveState runs both with one count). */
  typingSignals: 40,
  unreadConversations: 200,
  requests: 30,
  heartbeats: 100,
  reconnects: 20,
  directMessages: 100,
};
const answerTimeoutMs = 10_000;

/** Reads the server's counters before and after `work`; zeros when the hot state is not on Valkey. */
function valkeyCounters(url: string | undefined) {
  const client = url ? new Valkey(url) : undefined;
  const stats = async () => {
    const info = (await client?.info('stats')) ?? '';
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return {
      commands: field('total_commands_processed'),
      bytes: field('total_net_input_bytes') + field('total_net_output_bytes'),
      // This INFO's own reply, which the next reading counts.
      ownBytes: info.length,
    };
  };
  return {
    async around<T>(operations: number, work: () => Promise<T>): Promise<{ result: T; valkey: ValkeyWork }> {
      const before = await stats();
      const result = await work();
      const after = await stats();
      const per = (value: number) => Math.max(0, value) / operations;
      const commands = per(after.commands - before.commands - (client ? 1 : 0));
      const kilobytes = per((after.bytes - before.bytes - before.ownBytes) / 1024);
      const round = (value: number) => Number(value.toFixed(2));
      return {
        result,
        valkey: {
          commands: round(commands),
          kilobytes: round(kilobytes),
          ecpus: round(Math.max(commands, kilobytes)),
        },
      };
    },
    async data() {
      if (!client) return undefined;
      const memory = await client.info('memory');
      const datasetBytes = Number(/^used_memory_dataset:(\d+)/m.exec(memory)?.[1] ?? 0);
      return { keys: await client.dbsize(), datasetBytes };
    },
    close: () => client?.disconnect(),
  };
}

const pong = (socket: BenchSocket) => {
  const answered = socket.next((frame) => frame.type === 'pong', answerTimeoutMs);
  socket.send({ action: 'heartbeat', reply: true });
  return answered.then((arrivedAt) => arrivedAt !== undefined);
};

/**
 * Not counted: DynamoDB Local (a JVM) and each function answer slower for their first few hundred calls, which a
 * section that starts on a fresh runtime would otherwise put into its first measurements (typing 43 ms p50
 * instead of 15 ms on DynamoDB). Its own users and message ids, so no measurement repeats them.
 */
async function warmUp(system: LocalChatSystem): Promise<void> {
  const [userId, peer] = ['hot-state-warm-up', 'hot-state-warm-up-peer'];
  const conversationId = await system.createConversation(userId, [peer]);
  const socket = await BenchSocket.open(await system.socketUrl(userId), `${userId}#0`);
  for (let index = 0; index < 150; index++) {
    socket.send({ action: 'typing', conversationId, isTyping: index % 2 === 0 });
    await system.call(userId, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: `warm-up-${index}`,
      body: 'warm-up',
    });
    await pong(socket);
  }
  await socket.close();
  await system.quiesce();
}

/** A user with one offline contact, as an idle connection: heartbeats timed to their `pong`, then hand-overs. */
async function heartbeatsAndReconnects(system: LocalChatSystem, count: ReturnType<typeof valkeyCounters>) {
  const userId = 'hot-state-idle';
  await system.createConversation(userId, ['hot-state-idle-contact']);
  let socket = await BenchSocket.open(await system.socketUrl(userId), `${userId}#0`);
  await pong(socket);
  const heartbeat = await count.around(parameters.heartbeats, () =>
    measureRequests(system, parameters.heartbeats, () => pong(socket)),
  );
  // The SDK's move before API Gateway's 2-hour cut-off: the new connection answers its pong, then the old closes.
  const reconnect = await count.around(parameters.reconnects, () =>
    measureRequests(system, parameters.reconnects, async () => {
      const fresh = await BenchSocket.open(await system.socketUrl(userId), `${userId}#0`);
      const answered = await pong(fresh);
      await socket.close();
      socket = fresh;
      return answered;
    }),
  );
  await socket.close();
  return { heartbeat, reconnect };
}

/** In the child: every measurement on one runtime of the backend its environment names. */
async function child(): Promise<void> {
  const backend: Backend = process.env.CHAT_HOT_STATE === 'valkey' ? 'valkey' : 'dynamodb';
  const result = await withLocalSystem(async (system): Promise<BackendResult> => {
    const count = valkeyCounters(system.runtime.valkeyUrl);
    try {
      await warmUp(system);
      const live = await liveState(
        system,
        parameters.typingSignals,
        parameters.unreadConversations,
        parameters.requests,
      );
      const { heartbeat, reconnect } = await heartbeatsAndReconnects(system, count);
      const send = await count.around(parameters.directMessages, () =>
        directChat(system, parameters.directMessages),
      );
      const data = await count.data();
      return {
        backend,
        live,
        heartbeat: heartbeat.result,
        reconnect: reconnect.result,
        send: send.result,
        valkey: { heartbeat: heartbeat.valkey, reconnect: reconnect.valkey, message: send.valkey },
        ...(data ? { valkeyData: data } : {}),
      };
    } finally {
      count.close();
    }
  });
  reportToParent(result);
}

export async function measureHotState(log: (line: string) => void): Promise<HotStateMeasures> {
  const results: BackendResult[] = [];
  for (const backend of backends) {
    const result = await runChild<BackendResult>(fileURLToPath(import.meta.url), { CHAT_HOT_STATE: backend });
    const { typing, presence, unread } = result.live;
    log(
      `hot state on ${backend}: typing p50 ${typing.latencyMs.p50} ms, presence p50 ${presence.latencyMs.p50} ms, ` +
        `GET /unread p50 ${unread.latencyMs.p50} ms, heartbeat ${result.heartbeat.perRequest.writeUnits} WCU`,
    );
    results.push(result);
  }
  return {
    parameters: {
      ...parameters,
      runtime: 'one local runtime per backend, in a child process started with CHAT_HOT_STATE',
    },
    heartbeatIntervalSeconds: readSettings().heartbeatIntervalSeconds,
    backends: results,
  };
}

if (process.argv.includes(childFlag)) await child();
