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

/** The Valkey adapters, each call waiting for the module once (then it is a resolved promise). */
function valkeyAdapters(table: TableContext, clock: () => number): HotState {
  const positions = new ConversationStore(table);
  const loaded = import('./valkey-hot-state.ts').then((module) => module.valkeyHotState(positions, clock));
  return {
    typing: {
      start: async (options) => (await loaded).typing.start(options),
      stop: async (options) => (await loaded).typing.stop(options),
    },
    rateLimits: { take: async (options) => (await loaded).rateLimits.take(options) },
    unread: {
      positions: async (userId) => (await loaded).unread.positions(userId),
      advanced: async (options) => (await loaded).unread.advanced(options),
      readTo: async (options) => (await loaded).unread.readTo(options),
      joined: async (options) => (await loaded).unread.joined(options),
      left: async (options) => (await loaded).unread.left(options),
    },
    sessions: {
      putConnection: async (options) => (await loaded).sessions.putConnection(options),
      removeConnection: async (options) => (await loaded).sessions.removeConnection(options),
      removeGoneConnection: async (options) => (await loaded).sessions.removeGoneConnection(options),
      getMany: async (userIds, nowMs) => (await loaded).sessions.getMany(userIds, nowMs),
    },
    connectionExpiry: {
      schedule: async (connection) => (await loaded).connectionExpiry.schedule(connection),
      forget: async (connection) => (await loaded).connectionExpiry.forget(connection),
      expiredBetween: async (range) => (await loaded).connectionExpiry.expiredBetween(range),
    },
    memberLists: {
      get: async (conversationId, version) => (await loaded).memberLists?.get(conversationId, version),
      set: async (conversationId, version, members) =>
        (await loaded).memberLists?.set(conversationId, version, members),
      forget: async (conversationId) => (await loaded).memberLists?.forget(conversationId),
    },
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
