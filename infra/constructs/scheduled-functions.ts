/** The scheduled functions of `shared/shape/scheduled.ts`: each with an EventBridge rule that invokes it. */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { ScheduledFunction } from '../../shared/shape/scheduled.ts';
import type { ChatFunctions } from './chat-functions.ts';

export interface ScheduledFunctionsProps {
  /** Makes each function (granted what its spec declares, watched by the errors alarms like the others). */
  readonly functions: ChatFunctions;
  readonly specs: readonly ScheduledFunction[];
}

/** Declared in `scope` itself, like the other parts of the stack. */
export class ScheduledFunctions {
  constructor(scope: Construct, props: ScheduledFunctionsProps) {
    for (const spec of props.specs) {
      new Rule(scope, `${spec.name}Schedule`, {
        description: `Runs ${spec.name} every ${spec.everyMinutes} minute(s)`,
        schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
        // A run that failed is made up by the next one: no retries piling up behind it.
        targets: [new LambdaFunction(props.functions.add(spec), { retryAttempts: 0 })],
      });
    }
  }
}
