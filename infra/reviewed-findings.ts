/**
 * cdk-nag findings reviewed and accepted, each with its reason. cdk-nag 3 matches a finding by its exact id,
 * which embeds the granted resource as it resolves in the stack's environment (a concrete account, region or
 * partition literal once the stack has one), so ids are derived from the very values granted, flattened by
 * cdk-nag's own function, rather than written out.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Identity } from './config.ts';
import { type ConnectionsTarget, tableIndexesArn } from './constructs/chat-function.ts';

export interface ReviewedGrants {
  /** The table, whose indexes the functions read through. */
  readonly table: ITable;
  /** The `@connections` ARN the functions may post to. */
  readonly connections: ConnectionsTarget;
  /** The user pool's options: MFA and threat protection are acknowledged only where they are off. */
  readonly identity: Identity;
  /** The endpoint ARN patterns of the push platform applications the push worker publishes to. */
  readonly pushEndpoints: readonly string[];
}

export function acknowledgeReviewedFindings(stack: Stack, granted: ReviewedGrants): void {
  const wildcardResource = (arn: string) =>
    `AwsSolutions::AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`;
  const acknowledged = [
    {
      id: wildcardResource(tableIndexesArn(granted.table)),
      reason:
        "dynamodb:Query only, on the table's own indexes (the inbox index), for the functions that query it.",
    },
    {
      id: wildcardResource(granted.connections.postArn),
      reason: "POST on this API stage's @connections only; connection ids are not known in advance.",
    },
    {
      id: wildcardResource(granted.connections.deleteArn),
      reason:
        "DELETE on this API stage's @connections, for the functions that close connections whose token expired.",
    },
    ...granted.pushEndpoints.map((endpoints) => ({
      id: wildcardResource(endpoints),
      reason:
        "The push worker's endpoint calls, on the endpoints of the configured SNS platform application only (one per device token, made at run time).",
    })),
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams (the stream event sources) and comprehend:DetectToxicContent (the send and edit functions, with -c contentFilter=comprehend) support no resource-level permission.',
    },
    ...(granted.identity.kind === 'cognito' && granted.identity.threatProtection !== 'off'
      ? []
      : [
          {
            id: 'AwsSolutions::AwsSolutions-COG8',
            reason:
              'The Plus feature plan (threat protection) is paid: -c threatProtection=audit|enforced turns it on.',
          },
        ]),
    ...(granted.identity.kind === 'cognito' && granted.identity.mfa === 'required'
      ? []
      : [
          {
            id: 'AwsSolutions::AwsSolutions-COG2',
            reason:
              "MFA is the identity owner's choice: -c mfa=optional|required turns it on; an OIDC issuer can replace the pool.",
          },
        ]),
    {
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'WebSocket APIs authorize at $connect (the Lambda authorizer); later routes belong to that authorized connection.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        "These queues are themselves dead-letter queues: of the stream consumers (fan-out, event publisher), of the push jobs, and of the thumbnail maker's failed invocations.",
    },
    {
      id: 'AwsSolutions::AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the functions are bundled (target node22) and tested for.',
    },
  ];
  for (const finding of acknowledged) Validations.of(stack).acknowledge(finding);
}
