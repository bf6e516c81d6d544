/**
 * Every function of the system, from the route tables and the schedule: what the stack and the runtime load; and
 * the rate bucket of each limited route.
 */
import { httpRoutes } from './http-routes.ts';
import {
  eventPublisher,
  type FunctionSpec,
  fanOutConsumer,
  pushWorker,
  type RateBucket,
  thumbnailMaker,
  webSocketAuthorizer,
  webSocketRoutes,
} from './routes.ts';
import { scheduledFunctions } from './scheduled.ts';

export const allFunctionSpecs: readonly FunctionSpec[] = [
  ...webSocketRoutes,
  ...httpRoutes,
  webSocketAuthorizer,
  fanOutConsumer,
  eventPublisher,
  pushWorker,
  thumbnailMaker,
  ...scheduledFunctions,
];

/** The rate bucket of each limited route, by the route key API Gateway puts in its events. */
export const rateBucketByRouteKey: ReadonlyMap<string, RateBucket> = new Map([
  ...webSocketRoutes.flatMap((route) =>
    route.rateLimit ? [[route.routeKey, route.rateLimit] as const] : [],
  ),
  ...httpRoutes.flatMap((route) =>
    route.rateLimit ? [[`${route.method} ${route.path}`, route.rateLimit] as const] : [],
  ),
]);
