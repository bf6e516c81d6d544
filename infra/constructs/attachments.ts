/**
 * The attachments bucket: private (public access blocked, objects owned by the bucket), TLS only, S3-managed
 * encryption, CORS for the browser's POST and GET, and lifecycle rules, for uploads (`attachments/`) and their
 * previews (`thumbnails/`) alike: an object still tagged `state=pending` (no message claimed it) goes after a
 * day, and with a message retention every object goes a day after its messages would (an upload precedes its
 * message by at most that day). Each function whose route-table entry names an `attachments` use gets the
 * bucket's name and exactly that use's actions, on those two prefixes only.
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
import { attachmentPrefix, thumbnailPrefix } from '../../shared/domain/attachment-ports.ts';
import type { AttachmentAccess, FunctionSpec } from '../../shared/shape/routes.ts';
import type { ChatFunctions } from './chat-functions.ts';

type Prefix = typeof attachmentPrefix | typeof thumbnailPrefix;

/** The S3 actions of each use (see `FunctionAccess.attachments`), on uploads and on their previews. */
export const attachmentActions: Record<AttachmentAccess, Partial<Record<Prefix, readonly string[]>>> = {
  // A POST carrying tags needs PutObjectTagging beside PutObject.
  signUpload: { [attachmentPrefix]: ['s3:PutObject', 's3:PutObjectTagging'] },
  // The ranged GET that checks an upload's size, type and first bytes; the tag takes it (and its preview) out of
  // the pending rule.
  claim: {
    [attachmentPrefix]: ['s3:GetObject', 's3:PutObjectTagging'],
    [thumbnailPrefix]: ['s3:PutObjectTagging'],
  },
  signDownload: { [attachmentPrefix]: ['s3:GetObject'], [thumbnailPrefix]: ['s3:GetObject'] },
  delete: { [attachmentPrefix]: ['s3:DeleteObject'], [thumbnailPrefix]: ['s3:DeleteObject'] },
  // Reads the upload; writes its preview tagged as the upload is.
  thumbnail: {
    [attachmentPrefix]: ['s3:GetObject'],
    [thumbnailPrefix]: ['s3:PutObject', 's3:PutObjectTagging'],
  },
};

const prefixes: readonly Prefix[] = [attachmentPrefix, thumbnailPrefix];

export interface AttachmentsProps {
  readonly functions: ChatFunctions;
  /** Every route-table entry; those naming an `attachments` use are granted it. */
  readonly specs: readonly FunctionSpec[];
  /** Origins the browser may POST uploads from and GET downloads from (the HTTP API's CORS origins). */
  readonly corsOrigins: readonly string[];
  /** Days messages are kept; 0 keeps them (and their attachments) forever. */
  readonly messageRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/** The ids of each prefix's lifecycle rules (the uploads' are those deployed stacks have). */
const ruleIds: Record<Prefix, { pending: string; retention: string }> = {
  [attachmentPrefix]: { pending: 'UnattachedUploads', retention: 'Retention' },
  [thumbnailPrefix]: { pending: 'UnattachedThumbnails', retention: 'ThumbnailRetention' },
};

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
          // POST: the upload form; GET: a `fetch` of a download link follows its 302 here.
          allowedMethods: [HttpMethods.GET, HttpMethods.POST],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['*'],
          maxAge: 3_000,
        },
      ],
      // A rule filters by one prefix: each rule of uploads has its twin for previews.
      lifecycleRules: [
        ...prefixes.map((prefix) => ({
          id: ruleIds[prefix].pending,
          prefix,
          tagFilters: { state: 'pending' },
          expiration: Duration.days(1),
        })),
        { id: 'IncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(retention > 0
          ? prefixes.map((prefix) => ({
              id: ruleIds[prefix].retention,
              prefix,
              expiration: Duration.days(retention + 1),
            }))
          : []),
      ],
    });
    const objects = (prefix: Prefix) => this.bucket.arnForObjects(`${prefix}*`);
    const uses = new Map(
      props.specs.flatMap((spec) => (spec.access.attachments ? [[spec.name, spec.access.attachments]] : [])),
    );
    for (const chat of props.functions.all) {
      const use = uses.get(chat.node.id);
      if (!use) continue;
      chat.function.addEnvironment('ATTACHMENTS_BUCKET', this.bucket.bucketName);
      for (const prefix of prefixes) {
        const actions = attachmentActions[use][prefix];
        if (actions)
          chat.function.addToRolePolicy(
            new PolicyStatement({ actions: [...actions], resources: [objects(prefix)] }),
          );
      }
    }
    const stack = Stack.of(scope);
    Validations.of(stack).acknowledge(
      ...prefixes.map((prefix) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(objects(prefix)))}]`,
        reason: `Each attachment function's own S3 actions, on the ${prefix} prefix only: object keys are made at run time.`,
      })),
      {
        id: 'AwsSolutions::AwsSolutions-S1',
        reason:
          'No server access logs for the attachments bucket: every object is reached through a function that logs who asked, and CloudTrail data events can be turned on per stage.',
      },
    );
  }
}
