/** The CDK app as every deploy builds it: one chat stack for the configured stage, checked by cdk-nag. */
import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChatStack } from './chat-stack.ts';
import { readConfig } from './config.ts';

/** Adds the stack to `app` for `env` (what `cdk deploy` hands the app, or nothing for an agnostic synth). */
export function defineChatApp(app: App, env: Environment = {}): ChatStack {
  const config = readConfig(app.node);
  const stack = new ChatStack(app, `Chat-${config.stage}`, { config, env });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
