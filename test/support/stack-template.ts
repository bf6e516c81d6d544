/** The synthesized stack as the stack tests read it: its resources by type, and a function's IAM statements. */
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defineChatApp } from '../../infra/chat-app.ts';
import { cdkApp } from './cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
export type Resources = Record<string, Resource>;
export type Statement = { Action: string | string[]; Resource: unknown; Effect?: string };

/** The `dev` stack with that context, not bundled (the template is the same but for asset hashes). */
export function synthesize(context: Record<string, unknown> = {}): {
  app: App;
  template: Template;
  resources: Resources;
} {
  const app = cdkApp({ stage: 'dev', ...context }, { bundle: false });
  const template = Template.fromStack(defineChatApp(app));
  return { app, template, resources: template.toJSON().Resources as Resources };
}

export const resourcesOfType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

/**
 * The stack's own functions, one per route-table entry: every Lambda function but CDK's handler of the bucket's
 * notifications (the custom resource that subscribes the thumbnail maker to uploads at deploy time).
 */
export const chatFunctionsOf = (resources: Resources) =>
  resourcesOfType(resources, 'AWS::Lambda::Function').filter(
    ([id]) => !id.startsWith('BucketNotificationsHandler'),
  );

/** Every statement of the policies on a function's role (its construct id begins with the function's name). */
export function statementsOf(resources: Resources, functionName: string): Statement[] {
  const role = resourcesOfType(resources, 'AWS::IAM::Role').find(([id]) =>
    id.startsWith(`${functionName}Role`),
  );
  if (!role) throw new Error(`no role for ${functionName}`);
  return resourcesOfType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role[0]))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

export const actionsOf = (statement: Statement) => [statement.Action].flat();
