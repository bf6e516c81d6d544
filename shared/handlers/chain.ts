/** The middy chain every adapter starts from: the logger gets each invocation's Lambda context. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from '../observability.ts';

export interface ChainOptions {
  /** Publishes the invocation's metrics (only where there are some: no empty-metrics noise). */
  emitsMetrics?: boolean;
}

export function adapterChain<Event, Result>(options: ChainOptions = {}) {
  const chain = middy<Event, Result, Error, Context>().use(injectLambdaContext(logger, { resetKeys: true }));
  if (options.emitsMetrics) chain.use(logMetrics(metrics));
  return chain;
}
