/** SDK clients on Node (`ws`), signed in to a target, each with what it saw; disconnected after each test. */
import { afterEach, expect, vi } from 'vitest';
import WebSocket from 'ws';
import {
  type ChatClient,
  type ChatClientOptions,
  createChatClient,
  type Message,
  type OutgoingMessage,
} from '../../client/src/index.ts';
import type { Target } from './target.ts';

export interface SdkDevice {
  client: ChatClient;
  userId: string;
  delivered: Message[];
  outgoing: OutgoingMessage[];
}

/** The first sockets of a run wait for the functions' cold starts. */
const firstOpenTimeoutMs = 20_000;

/** Signs users in as SDK clients of `t` (call at a test file's top level: it registers the clean-up). */
export function sdkDevices(t: Target) {
  const clients: ChatClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  return async function signIn(userId: string, options: Partial<ChatClientOptions> = {}): Promise<SdkDevice> {
    const client = createChatClient({
      httpUrl: t.httpUrl,
      wsUrl: t.wsUrl,
      userId,
      getToken: () => t.tokenFor(userId),
      WebSocket,
      ...options,
    });
    clients.push(client);
    const device: SdkDevice = { client, userId, delivered: [], outgoing: [] };
    client.on('message', (message) => device.delivered.push(message));
    client.on('outgoing', (message) => device.outgoing.push(message));
    client.connect();
    await vi.waitFor(() => expect(client.status).toBe('open'), {
      timeout: Math.max(t.eventTimeoutMs, firstOpenTimeoutMs),
      interval: 20,
    });
    return device;
  };
}
