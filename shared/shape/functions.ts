/** Every function of the system, from the route table and the schedule: what the stack and the runtime load. */
import {
  eventPublisher,
  type FunctionSpec,
  fanOutConsumer,
  httpRoutes,
  pushWorker,
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
  ...scheduledFunctions,
];
