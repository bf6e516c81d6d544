/** The CDK entry point: the CLI passes the target account and region (if it knows them) in the environment. */
import { App } from 'aws-cdk-lib';
import { defineChatApp } from './chat-app.ts';

defineChatApp(new App(), {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
