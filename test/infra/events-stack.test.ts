/** The stack's side of domain events: the bus, who may put events on it, and the publisher's stream mapping. */
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineChatApp } from '../../infra/chat-app.ts';
import { eventPublisher } from '../../shared/shape/routes.ts';
import { eventPublisherFilterPatterns } from '../../shared/shape/table.ts';
import { cdkApp } from '../support/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

let app: App;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  app = cdkApp({ stage: 'dev' }, { bundle: false });
  template = Template.fromStack(defineChatApp(app));
  resources = template.toJSON().Resources;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const idOf = (type: string, prefix: string) => {
  const found = ofType(type).find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no ${type} ${prefix}`);
  return found[0];
};
const actionsOf = (statement: Statement) => [statement.Action].flat();
/** Every policy statement of the stack, with the roles it is attached to. */
const statements = () =>
  ofType('AWS::IAM::Policy').flatMap(([, policy]) =>
    (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({
      statement,
      roles: JSON.stringify(policy.Properties.Roles),
    })),
  );

describe('domain events', () => {
  it('has the ChatEvents bus, named chat-<stage>, its name among the outputs', () => {
    const busId = idOf('AWS::Events::EventBus', 'ChatEvents');
    expect(resources[busId]?.Properties).toEqual({ Name: 'chat-dev' });
    template.hasOutput('EventBusName', { Value: { Ref: busId } });
  });

  it('lets only the publisher put events, and only on that bus', () => {
    const busId = idOf('AWS::Events::EventBus', 'ChatEvents');
    const putters = statements().filter(({ statement }) =>
      actionsOf(statement).some((action) => action.startsWith('events:')),
    );
    expect(putters).toHaveLength(1);
    expect(putters[0]?.roles).toContain(`${eventPublisher.name}Role`);
    expect(putters[0]?.statement).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
    });
    const withBus = ofType('AWS::Lambda::Function').filter(([, fn]) =>
      JSON.stringify(fn.Properties.Environment ?? {}).includes('EVENT_BUS_NAME'),
    );
    expect(withBus.map(([id]) => id)).toEqual([
      idOf('AWS::Lambda::Function', `${eventPublisher.name}Function`),
    ]);
  });

  it('gives the publisher the stream and nothing of the table', () => {
    const dynamo = statements()
      .filter(({ roles }) => roles.includes(`${eventPublisher.name}Role`))
      .flatMap(({ statement }) => actionsOf(statement))
      .filter((action) => action.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
  });

  it("consumes the table's stream with its own filtered mapping: partial failures, bisection, bounded retries, dead letters", () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf('AWS::DynamoDB::Table', 'Table'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp(`^${eventPublisher.name}Function`) },
      FilterCriteria: {
        Filters: eventPublisherFilterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      BatchSize: 100,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'EventDeadLetters'), 'Arn'] },
        },
      },
    });
  });

  it('alarms when the publisher is 5 minutes behind the stream and when its records are dead-lettered', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [
        {
          Name: 'FunctionName',
          Value: { Ref: Match.stringLikeRegexp(`^${eventPublisher.name}Function`) },
        },
      ],
      Threshold: 300_000,
      AlarmActions: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'EventDeadLetters'), 'QueueName'] },
        },
      ],
      Threshold: 0,
      AlarmActions: Match.anyValue(),
    });
  });

  it('synthesizes with no unreviewed cdk-nag finding', () => {
    expect(() => app.synth({ force: true })).not.toThrow();
  });
});
