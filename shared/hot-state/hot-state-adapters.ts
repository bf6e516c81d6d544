/**
 * Which backend holds the hot state: `CHAT_HOT_STATE=valkey` puts connections and presence, their tokens'
 * expiry, typing and rate limits on Valkey, and caches the read positions behind unread counts and the member lists there; anything
 * else keeps them in DynamoDB, the default. Messages, conversations and memberships stay in DynamoDB either way.
 *
 * The Valkey side is loaded by a dynamic import in its own branch: the function bundles are built with the
 * setting fixed (infra/bundling.ts), so a DynamoDB build drops it and carries no Valkey client at all.
 */
import type { ChatContext } from '../domain/context.ts';
import type { SessionStore, SharedMemberLists } from '../domain/ports.ts';
import { DerivedUnreadIndex } from '../domain/read-positions.ts';
import { ConnectionExpiryStore } from '../store/connection-expiry-store.ts';
import { ConversationStore } from '../store/conversation-store.ts';
import type { TableContext } from '../store/dynamo.ts';
import { PresenceStore } from '../store/presence-store.ts';
import { RateLimitStore } from '../store/rate-limit-store.ts';
import { TypingStore } from '../store/typing-store.ts';

export type HotState = Pick<ChatContext, 'typing' | 'rateLimits' | 'unread' | 'connectionExpiry'> & {
  sessions: SessionStore;
  /** Member lists all containers share, on Valkey only: on DynamoDB each container's own copy is the cache. */
  memberLists?: SharedMemberLists;
};

/**
 * A port whose methods each wait for the adapter (a resolved promise after the first call), then call it with
 * the same arguments.
 */
function deferred<T extends object>(adapter: () => Promise<T>, methods: readonly (keyof T & string)[]): T {
  const call = async (method: keyof T, args: unknown[]) => {
    const loaded = await adapter();
    return (loaded[method] as (...args: unknown[]) => unknown).apply(loaded, args);
  };
  return Object.fromEntries(
    methods.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  ) as T;
}

/** The Valkey adapters, loading the module on the first call of any of them (a failure is that call's). */
function valkeyAdapters(table: TableContext, clock: () => number): HotState {
  const positions = new ConversationStore(table);
  let loaded: Promise<HotState> | undefined;
  const state = () => {
    loaded ??= import('./valkey-hot-state.ts').then((module) => module.valkeyHotState(positions, clock));
    return loaded;
  };
  const port =
    <K extends keyof HotState>(name: K) =>
    () =>
      state().then((adapters) => adapters[name] as NonNullable<HotState[K]>);
  return {
    typing: deferred(port('typing'), ['start', 'stop']),
    rateLimits: deferred(port('rateLimits'), ['take']),
    unread: deferred(port('unread'), ['positions', 'advanced', 'readTo', 'joined', 'left']),
    sessions: deferred(port('sessions'), [
      'putConnection',
      'removeConnection',
      'removeGoneConnection',
      'getMany',
    ]),
    connectionExpiry: deferred(port('connectionExpiry'), ['schedule', 'forget', 'expiredBetween']),
    memberLists: deferred<SharedMemberLists>(port('memberLists'), ['get', 'set', 'forget']),
  };
}

export function hotStateAdapters(table: TableContext, clock: () => number): HotState {
  return process.env.CHAT_HOT_STATE === 'valkey'
    ? valkeyAdapters(table, clock)
    : {
        typing: new TypingStore(table),
        rateLimits: new RateLimitStore(table),
        unread: new DerivedUnreadIndex(new ConversationStore(table)),
        sessions: new PresenceStore(table),
        connectionExpiry: new ConnectionExpiryStore(table),
      };
}
