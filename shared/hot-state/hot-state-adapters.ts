/**
 * Which backend holds the hot state: `CHAT_HOT_STATE=valkey` puts typing and rate limits on Valkey; anything else
 * keeps them in DynamoDB, the default. The other ports stay on DynamoDB for now (presence, connections and the
 * member-list cache move next).
 *
 * The Valkey side is loaded by a dynamic import in its own branch: the function bundles are built with the
 * setting fixed (infra/bundling.ts), so a DynamoDB build drops it and carries no Valkey client at all.
 */
import type { ChatContext } from '../domain/context.ts';
import type { TableContext } from '../store/dynamo.ts';
import { RateLimitStore } from '../store/rate-limit-store.ts';
import { TypingStore } from '../store/typing-store.ts';

type HotState = Pick<ChatContext, 'typing' | 'rateLimits'>;

/** The Valkey adapters, each call waiting for the module once (then it is a resolved promise). */
function valkeyAdapters(): HotState {
  const loaded = import('./valkey-hot-state.ts').then((module) => module.valkeyHotState());
  return {
    typing: {
      start: async (options) => (await loaded).typing.start(options),
      stop: async (options) => (await loaded).typing.stop(options),
    },
    rateLimits: { take: async (options) => (await loaded).rateLimits.take(options) },
  };
}

export function hotStateAdapters(table: TableContext): HotState {
  return process.env.CHAT_HOT_STATE === 'valkey'
    ? valkeyAdapters()
    : { typing: new TypingStore(table), rateLimits: new RateLimitStore(table) };
}
