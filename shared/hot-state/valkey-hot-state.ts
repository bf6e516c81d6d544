/**
 * The Valkey adapters of the hot-state ports, on this container's one client (created on first use).
 *
 * This module is loaded by a dynamic import, so it imports nothing of DynamoDB: esbuild keeps every export of a
 * module reachable from an `import()`, and a DynamoDB store imported here put the whole DynamoDB client (all its
 * commands and schemas, about 60 KiB) into every bundle. What it needs of the table is handed in.
 */
import type { PositionSource } from '../domain/read-positions.ts';
import type { HotState } from './hot-state-adapters.ts';
import { createValkeyClient, type HotStateClient } from './valkey-client.ts';
import { ValkeyConnectionExpiry } from './valkey-connection-expiry.ts';
import { ValkeyMemberLists } from './valkey-member-lists.ts';
import { ValkeyRateLimiter } from './valkey-rate-limiter.ts';
import { ValkeySessionStore } from './valkey-session-store.ts';
import { ValkeyTypingStore } from './valkey-typing-store.ts';
import { ValkeyUnreadIndex } from './valkey-unread-index.ts';

let containerClient: HotStateClient | undefined;

/** `positions`: where the unread cache is built from when a user's entry is missing (DynamoDB). */
export function valkeyHotState(positions: PositionSource, clock: () => number): HotState {
  containerClient ??= createValkeyClient();
  return {
    typing: new ValkeyTypingStore(containerClient),
    rateLimits: new ValkeyRateLimiter(containerClient),
    unread: new ValkeyUnreadIndex(containerClient, positions),
    sessions: new ValkeySessionStore(containerClient),
    connectionExpiry: new ValkeyConnectionExpiry(containerClient, clock),
    memberLists: new ValkeyMemberLists(containerClient),
  };
}

/** Closes this container's connection: the local runtime's stop (in Lambda the container just ends). */
export function closeValkeyHotState(): void {
  containerClient?.disconnect();
  containerClient = undefined;
}
