/** The Valkey adapters of the hot-state ports, on this container's one client (created on first use). */
import type { Valkey } from 'iovalkey';
import type { ChatContext } from '../domain/context.ts';
import { createValkeyClient } from './valkey-client.ts';
import { ValkeyRateLimiter } from './valkey-rate-limiter.ts';
import { ValkeyTypingStore } from './valkey-typing-store.ts';

let containerClient: Valkey | undefined;

export function valkeyHotState(): Pick<ChatContext, 'typing' | 'rateLimits'> {
  containerClient ??= createValkeyClient();
  return {
    typing: new ValkeyTypingStore(containerClient),
    rateLimits: new ValkeyRateLimiter(containerClient),
  };
}

/** Closes this container's connection: the local runtime's stop (in Lambda the container just ends). */
export function closeValkeyHotState(): void {
  containerClient?.disconnect();
  containerClient = undefined;
}
