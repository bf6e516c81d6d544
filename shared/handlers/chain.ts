/**
 * The middy chain every adapter starts from (the logger gets each invocation's Lambda context), and the per-user
 * rate limit every client route passes before its use case.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ChatContext } from '../domain/context.ts';
import { type ChatError, rateLimited } from '../errors.ts';
import { logger, metrics } from '../observability.ts';
import { rateBucketByRouteKey } from '../shape/functions.ts';
import { rateBuckets } from '../shape/routes.ts';

export interface ChainOptions {
  /** Publishes the invocation's metrics (only where there are some: no empty-metrics noise). */
  emitsMetrics?: boolean;
  /** The use cases' context. @default the container's (`chatContext`) */
  context?: () => ChatContext;
}

export function adapterChain<Event, Result>(options: ChainOptions = {}) {
  const chain = middy<Event, Result, Error, Context>().use(injectLambdaContext(logger, { resetKeys: true }));
  if (options.emitsMetrics) chain.use(logMetrics(metrics));
  return chain;
}

/** A request over its route's per-user limit, and whether this user was already told so this minute. */
export interface RateRefusal {
  error: ChatError;
  toldBefore: boolean;
}

/**
 * Takes a token of the per-user limit the route table gives the route (by the route key API Gateway puts in the
 * event), before any use case runs; answers the refusal when the user is over it, else undefined.
 */
export async function overRateLimit(
  ctx: ChatContext,
  routeKey: string,
  userId: string,
): Promise<RateRefusal | undefined> {
  const bucket = rateBucketByRouteKey.get(routeKey);
  if (bucket === undefined) return undefined;
  const { perMinute, what } = rateBuckets[bucket];
  const decision = await ctx.rateLimits.take({
    userId,
    bucket,
    perMinute: ctx.settings[perMinute],
    nowMs: ctx.clock(),
  });
  return decision === 'taken'
    ? undefined
    : { error: rateLimited(what), toldBefore: decision === 'refused-again' };
}
