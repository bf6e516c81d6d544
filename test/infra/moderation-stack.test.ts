/** The stack's side of reports and moderation: the moderators group, the report-age schedule and alarm, grants. */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineChatApp } from '../../infra/chat-app.ts';
import { httpRoutes } from '../../shared/shape/routes.ts';
import { cdkApp } from '../support/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Effect: string };

function resourcesOf(context: Record<string, unknown>): Record<string, Resource> {
  return Template.fromStack(defineChatApp(cdkApp({ stage: 'dev', ...context }, { bundle: false }))).toJSON()
    .Resources;
}

let resources: Record<string, Resource>;
beforeAll(() => {
  resources = resourcesOf({});
}, 120_000);

const ofType = (type: string, within = resources) =>
  Object.entries(within).filter(([, r]) => r.Type === type);

/** The DynamoDB actions the function of a route is allowed. */
function tableActionsOf(name: string): string[] {
  const role = ofType('AWS::IAM::Role').find(([id]) => id.startsWith(`${name}Role`))?.[0] ?? 'none';
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .flatMap((s) => [s.Action].flat())
    .filter((action) => action.startsWith('dynamodb:'))
    .sort();
}

describe('moderation in the stack', () => {
  it('creates the Cognito group whose members are moderators', () => {
    expect(ofType('AWS::Cognito::UserPoolGroup').map(([, group]) => group.Properties.GroupName)).toEqual([
      'moderators',
    ]);
  });

  it('measures the oldest open report every 5 minutes and alarms past 20 hours (configurable)', () => {
    const alarm = (within: Record<string, Resource>) =>
      ofType('AWS::CloudWatch::Alarm', within).find(([id]) => id.startsWith('ReportAgeAlarm'))?.[1];
    expect(alarm(resources)?.Properties).toMatchObject({
      MetricName: 'OldestOpenReportAge',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 20 * 3600,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(resourcesOf({ reportAgeAlarmHours: 4 }))?.Properties.Threshold).toBe(4 * 3600);
    const schedule = ofType('AWS::Events::Rule').find(([, rule]) =>
      JSON.stringify(rule.Properties.Targets).includes('ReportAgeFunction'),
    );
    expect(schedule?.[1].Properties.ScheduleExpression).toBe('rate(5 minutes)');
  });

  it('routes every moderation path, and lets listing reports only read', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey);
    for (const route of httpRoutes.filter(
      (r) => r.path.startsWith('/moderation') || r.path.endsWith('/reports'),
    )) {
      expect(routeKeys).toContain(`${route.method} ${route.path}`);
    }
    const listing = tableActionsOf('HttpListReports');
    expect(listing.length).toBeGreaterThan(0);
    expect(
      listing.filter((action) => !/:(GetItem|Query|BatchGetItem|ConditionCheckItem)$/.test(action)),
    ).toEqual([]);
    expect(tableActionsOf('HttpReportMessage')).toContain('dynamodb:UpdateItem');
  });
});
