/** The stack's side of reports and moderation: the moderators group, the report-age schedule and alarm, grants. */
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import {
  actionsOf,
  type Resources,
  resourcesOfType,
  statementsOf,
  synthesize,
} from '../support/stack-template.ts';

let resources: Resources;
beforeAll(() => {
  resources = synthesize().resources;
}, 120_000);

const ofType = (type: string, within = resources) => resourcesOfType(within, type);

/** The DynamoDB actions a function is allowed. */
const tableActionsOf = (name: string) =>
  statementsOf(resources, name)
    .flatMap(actionsOf)
    .filter((action) => action.startsWith('dynamodb:'))
    .sort();

describe('moderation in the stack', () => {
  it('creates the Cognito group whose members are moderators', () => {
    expect(ofType('AWS::Cognito::UserPoolGroup').map(([, group]) => group.Properties.GroupName)).toEqual([
      'moderators',
    ]);
  });

  it('measures the oldest open report every 5 minutes and alarms past 20 hours (configurable)', () => {
    const alarm = (within: Resources) =>
      ofType('AWS::CloudWatch::Alarm', within).find(([id]) => id.startsWith('ReportAgeAlarm'))?.[1];
    expect(alarm(resources)?.Properties).toMatchObject({
      MetricName: 'OldestOpenReportAge',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 20 * 3600,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(synthesize({ reportAgeAlarmHours: 4 }).resources)?.Properties.Threshold).toBe(4 * 3600);
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
