/** The stack's side of token expiry: the sweep's schedule, and who may close connections. */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineChatApp } from '../../infra/chat-app.ts';
import {
  type FunctionSpec,
  fanOutConsumer,
  httpRoutes,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../../shared/shape/routes.ts';
import { scheduledFunctions } from '../../shared/shape/scheduled.ts';
import { cdkApp } from '../support/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

let resources: Record<string, Resource>;
beforeAll(() => {
  resources = Template.fromStack(defineChatApp(cdkApp({ stage: 'dev' }, { bundle: false }))).toJSON()
    .Resources;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const idOf = (prefix: string) => ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))?.[0];

/** The `@connections` ARNs (as JSON) a function may manage. */
function managedBy(spec: FunctionSpec): string[] {
  const role = ofType('AWS::IAM::Role').find(([id]) => id.startsWith(`${spec.name}Role`))?.[0] ?? '';
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => [s.Action].flat().includes('execute-api:ManageConnections'))
    .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
}

describe('closing connections whose token expired', () => {
  it('runs the sweep every minute, without retries (the next run makes up for a failed one)', () => {
    const [sweep] = scheduledFunctions;
    const rules = ofType('AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.Targets).includes(idOf(`${sweep?.name}Function`) as string),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    const [target] = rule.Properties.Targets as { Arn: unknown; RetryPolicy: unknown }[];
    expect(JSON.stringify(target?.Arn)).toContain(idOf(`${sweep?.name}Function`));
    expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
  });

  it('lets close connections (DELETE @connections) exactly the frame routes, the sweep and a suspension', () => {
    const all = [
      ...webSocketRoutes,
      ...httpRoutes,
      webSocketAuthorizer,
      fanOutConsumer,
      ...scheduledFunctions,
    ];
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
