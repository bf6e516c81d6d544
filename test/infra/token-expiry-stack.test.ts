/** The stack's side of token expiry: the sweep's schedule, and who may close connections. */

import { beforeAll, describe, expect, it } from 'vitest';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import { type FunctionSpec, webSocketRoutes } from '../../shared/shape/routes.ts';
import { scheduledFunctions } from '../../shared/shape/scheduled.ts';
import { type Resources, resourcesOfType, statementsOf, synthesize } from '../support/stack-template.ts';

let resources: Resources;
beforeAll(() => {
  resources = synthesize().resources;
}, 120_000);

const ofType = (type: string) => resourcesOfType(resources, type);
const idOf = (prefix: string) => ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))?.[0];

/** The `@connections` ARNs (as JSON) a function may manage. */
const managedBy = (spec: FunctionSpec): string[] =>
  statementsOf(resources, spec.name)
    .filter((s) => [s.Action].flat().includes('execute-api:ManageConnections'))
    .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));

describe('closing connections whose token expired', () => {
  it('runs the sweep every minute, without retries (the next run makes up for a failed one)', () => {
    const [sweep] = scheduledFunctions;
    const rules = ofType('AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.Targets).includes(idOf(`${sweep?.name}Function`) as string),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resources[string]];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    const [target] = rule.Properties.Targets as { Arn: unknown; RetryPolicy: unknown }[];
    expect(JSON.stringify(target?.Arn)).toContain(idOf(`${sweep?.name}Function`));
    expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
  });

  it('lets close connections (DELETE @connections) exactly the frame routes, the sweep and a suspension', () => {
    const all = allFunctionSpecs;
    const closers = all.filter((spec) =>
      managedBy(spec).some((arn) => arn.includes('/DELETE/@connections/*')),
    );
    expect(closers.map((spec) => spec.name).sort()).toEqual(
      [
        ...webSocketRoutes.filter((r) => !r.routeKey.startsWith('$') || r.routeKey === '$default'),
        ...scheduledFunctions.filter((f) => f.name === 'CloseExpiredConnections'),
        ...httpRoutes.filter((r) => r.name === 'HttpSuspendUser'),
      ]
        .map((spec) => spec.name)
        .sort(),
    );
    for (const spec of closers) expect(managedBy(spec), spec.name).toHaveLength(2);
  });
});
