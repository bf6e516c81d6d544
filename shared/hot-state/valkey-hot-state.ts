/** The Valkey adapters of the hot-state ports, on this container's one client (created on first use). */
import { ConversationStore } from '../store/conversation-store.ts';
import type { TableContext } from '../store/dynamo.ts';
import type { HotState } from './hot-state-adapters.ts';
import { createValkeyClient, type HotStateClient } from './valkey-client.ts';
import { ValkeyMemberLists } from './valkey-member-lists.ts';
import { ValkeyRateLimiter } from './valkey-rate-limiter.ts';
import { ValkeySessionStore } from './valkey-session-store.ts';
import { ValkeyTypingStore } from './valkey-typing-store.ts';
import { ValkeyUnreadIndex } from './valkey-unread-index.ts';

let containerClient: HotStateClient | undefined;

export function valkeyHotState(table: TableContext): HotState {
  containerClient ??= createValkeyClient();
  return {
    typing: new ValkeyTypingStore(containerClient),
    rateLimits: new ValkeyRateLimiter(containerClient),
    unread: new ValkeyUnreadIndex(containerClient, new ConversationStore(table)),
    sessions: new ValkeySessionStore(containerClient),
    memberLists: new ValkeyMemberLists(containerClient),
  };
}

/** Closes this container's connection: the local runtime's stop (in Lambda the container just ends). */
export function closeValkeyHotState(): void {
  containerClient?.disconnect();
  containerClient = undefined;
}
