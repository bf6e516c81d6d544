/**
 * The attachments bucket: private (public access blocked, objects owned by the bucket), TLS only, S3-managed
 * encryption, CORS for the browser's POST, and lifecycle rules: an upload still tagged `state=pending` (no
 * message claimed it) goes after a day, and with a message retention every attachment goes a day after its
 * messages would (an upload precedes its message by at most that day). Each function whose route-table entry
 * names an `attachments` use gets the bucket's name and exactly that use's actions, on `attachments/*` only.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { attachmentPrefix } from '../../shared/domain/attachment-ports.ts';
import type { AttachmentAccess, FunctionSpec } from '../../shared/shape/routes.ts';
import type { ChatFunctions } from './chat-functions.ts';

/** The S3 actions of each use (see `FunctionAccess.attachments`). */
export const attachmentActions: Record<AttachmentAccess, readonly string[]> = {
  // A POST carrying tags needs PutObjectTagging beside PutObject.
  signUpload: ['s3:PutObject', 's3:PutObjectTagging'],
  // The ranged GET that checks an upload's size, type and first bytes; the tag takes it out of the pending rule.
  claim: ['s3:GetObject', 's3:PutObjectTagging'],
  signDownload: ['s3:GetObject'],
  delete: ['s3:DeleteObject'],
};

export interface AttachmentsProps {
  readonly functions: ChatFunctions;
  /** Every route-table entry; those naming an `attachments` use are granted it. */
  readonly specs: readonly FunctionSpec[];
  /** Origins the browser may POST uploads from (the HTTP API's CORS origins). */
  readonly corsOrigins: readonly string[];
  /** Days messages are kept; 0 keeps them (and their attachments) forever. */
  readonly messageRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/** Declared in `scope` itself, like the other parts of the stack. */
export class Attachments {
  readonly bucket: Bucket;

  constructor(scope: Construct, props: AttachmentsProps) {
    const retention = props.messageRetentionDays;
    this.bucket = new Bucket(scope, 'Attachments', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: props.removalPolicy,
      cors: [
        {
          allowedMethods: [HttpMethods.POST],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['*'],
          maxAge: 3_000,
        },
      ],
      lifecycleRules: [
        {
          id: 'UnattachedUploads',
          prefix: attachmentPrefix,
          tagFilters: { state: 'pending' },
          expiration: Duration.days(1),
        },
        { id: 'IncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(retention > 0
          ? [{ id: 'Retention', prefix: attachmentPrefix, expiration: Duration.days(retention + 1) }]
          : []),
      ],
    });
    const objects = this.bucket.arnForObjects(`${attachmentPrefix}*`);
    const uses = new Map(
      props.specs.flatMap((spec) => (spec.access.attachments ? [[spec.name, spec.access.attachments]] : [])),
    );
    for (const chat of props.functions.all) {
      const use = uses.get(chat.node.id);
      if (!use) continue;
      chat.function.addEnvironment('ATTACHMENTS_BUCKET', this.bucket.bucketName);
      chat.function.addToRolePolicy(
        new PolicyStatement({ actions: [...attachmentActions[use]], resources: [objects] }),
      );
    }
    const stack = Stack.of(scope);
    Validations.of(stack).acknowledge(
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(objects))}]`,
        reason:
          "Each attachment function's own S3 actions, on the attachments prefix only: object keys are made at run time.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-S1',
        reason:
          'No server access logs for the attachments bucket: every object is reached through a function that logs who asked, and CloudTrail data events can be turned on per stage.',
      },
    );
  }
}
