/** The local runtime as the benchmark runs it: the counting proxy between its functions and DynamoDB Local. */
import { cpus } from 'node:os';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.ts';
import { LocalChatSystem } from './chat-system.ts';
import { type CountingProxy, startCountingProxy } from './dynamo-proxy.ts';

export const streamPollIntervalMs = 50;

/**
 * The benchmark's users send, read and ask far faster than people do, so the per-user limits are lifted;
 * connections get no heartbeats, so presence lasts the whole run. All are settings the stack exposes.
 */
export const benchSettings = {
  SEND_RATE_PER_MINUTE: '100000',
  MARK_READ_RATE_PER_MINUTE: '100000',
  PRESENCE_QUERY_RATE_PER_MINUTE: '100000',
  TYPING_RATE_PER_MINUTE: '100000',
  CONVERSATION_RATE_PER_MINUTE: '100000',
  HEARTBEAT_RATE_PER_MINUTE: '100000',
  PRESENCE_CHANGE_RATE_PER_MINUTE: '100000',
  PRESENCE_TTL_SECONDS: '900',
};

/** The token-expiry sweep runs every minute deployed; the local default (every second) would enter the counts. */
const scheduleIntervalMs = 60_000;

export const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
});

export async function startMeasuredRuntime(
  options: { streamDelayMs?: number } = {},
): Promise<{ runtime: LocalRuntime; proxy: CountingProxy }> {
  let proxy: CountingProxy | undefined;
  const runtime = await startLocalRuntime({
    httpPort: 0,
    wsPort: 0,
    streamPollIntervalMs,
    scheduleIntervalMs,
    ...options,
    dynamoDbProxy: async (endpoint) => {
      proxy = await startCountingProxy(endpoint);
      return proxy.endpoint;
    },
  });
  if (!proxy) throw new Error('The runtime did not ask for the DynamoDB proxy');
  return { runtime, proxy };
}

/** Runs `work` against a fresh measured runtime with the benchmark's settings, and stops it. */
export async function withLocalSystem<T>(
  work: (system: LocalChatSystem) => Promise<T>,
  options: { streamDelayMs?: number } = {},
): Promise<T> {
  Object.assign(process.env, benchSettings);
  const { runtime, proxy } = await startMeasuredRuntime(options);
  try {
    return await work(new LocalChatSystem(runtime, proxy));
  } finally {
    await runtime.stop();
    await proxy.stop();
  }
}
