/**
 * The stack's side of attachments: a private, TLS-only, encrypted bucket with CORS for the browser's POST and
 * GET and the lifecycle rules of unattached uploads and previews and of retention, and least privilege for the
 * functions that sign uploads, check them, sign downloads, delete them and make their previews.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachmentActions } from '../../infra/constructs/attachments.ts';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import {
  actionsOf,
  chatFunctionsOf,
  type Resources,
  resourcesOfType,
  statementsOf,
  synthesize,
} from '../support/stack-template.ts';

let app: App;
let resources: Resources;
let bucketId: string;

beforeAll(() => {
  ({ app, resources } = synthesize());
  const [bucket] = resourcesOfType(resources, 'AWS::S3::Bucket');
  if (!bucket) throw new Error('no bucket');
  bucketId = bucket[0];
}, 120_000);

const bucket = () => resources[bucketId]?.Properties ?? {};
const s3Statements = (functionName: string) =>
  statementsOf(resources, functionName).filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith('s3:')),
  );
type ObjectArn = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [string, 'Arn'] }, string]] };
/**
 * A function's S3 actions by the objects they are granted on (`/attachments/*`, `/thumbnails/*`), each sorted;
 * only ever on this bucket's objects.
 */
function s3Grants(functionName: string): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const statement of s3Statements(functionName)) {
    for (const resource of [statement.Resource].flat() as ObjectArn[]) {
      const [, [bucketArn, objects]] = resource['Fn::Join'];
      expect(bucketArn).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
      grants[objects] = [...(grants[objects] ?? []), ...actionsOf(statement)].sort();
    }
  }
  return grants;
}

describe('the attachments bucket', () => {
  it('is the stack’s one bucket: public access blocked, owned by the bucket, encrypted, TLS only', () => {
    expect(resourcesOfType(resources, 'AWS::S3::Bucket')).toHaveLength(1);
    expect(bucket()).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    const [policy] = resourcesOfType(resources, 'AWS::S3::BucketPolicy');
    expect(policy?.[1].Properties.PolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });

  it('lets browsers POST uploads and GET downloads (a fetch follows the 302 here), and nothing else cross-origin', () => {
    expect(bucket().CorsConfiguration).toEqual({
      CorsRules: [
        { AllowedMethods: ['GET', 'POST'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], MaxAge: 3000 },
      ],
    });
  });

  it('removes uploads and previews no message claimed after a day; keeps attached ones as long as messages (forever by default)', () => {
    expect(bucket().LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'UnattachedUploads',
          Prefix: 'attachments/',
          TagFilters: [{ Key: 'state', Value: 'pending' }],
          ExpirationInDays: 1,
          Status: 'Enabled',
        },
        {
          Id: 'UnattachedThumbnails',
          Prefix: 'thumbnails/',
          TagFilters: [{ Key: 'state', Value: 'pending' }],
          ExpirationInDays: 1,
          Status: 'Enabled',
        },
        {
          Id: 'IncompleteUploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ],
    });
  });

  it('expires attachments and their previews a day after their messages when messages have a retention', () => {
    const withRetention = synthesize({ messageRetentionDays: 30 }).resources;
    const [[, retained] = []] = resourcesOfType(withRetention, 'AWS::S3::Bucket');
    const rules = (retained?.Properties.LifecycleConfiguration as { Rules: { Id: string }[] } | undefined)
      ?.Rules;
    expect(rules?.filter((rule) => rule.Id.endsWith('Retention'))).toEqual([
      { Id: 'Retention', Prefix: 'attachments/', ExpirationInDays: 31, Status: 'Enabled' },
      { Id: 'ThumbnailRetention', Prefix: 'thumbnails/', ExpirationInDays: 31, Status: 'Enabled' },
    ]);
  });

  it('passes cdk-nag: its findings (no access logs, the two prefix wildcards) are acknowledged with reasons', () => {
    // Synthesis runs the validation plugins and throws on a finding that is not acknowledged.
    const assembly = app.synth({ force: true });
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        suppressedViolations: { ruleName: string }[];
      }[];
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag?.conclusion).toBe('success');
    const suppressed = nag?.suppressedViolations.map((violation) => violation.ruleName) ?? [];
    expect(suppressed).toContain('AwsSolutions-S1');
  });
});

describe('least privilege', () => {
  it('grants each attachment function its own actions on attachments/* and thumbnails/* only, and every other function none', () => {
    for (const spec of allFunctionSpecs) {
      const use = spec.access.attachments;
      if (!use) {
        expect(s3Statements(spec.name), spec.name).toEqual([]);
        continue;
      }
      const expected = Object.entries(attachmentActions[use]).map(([prefix, actions]) => [
        `/${prefix}*`,
        [...(actions ?? [])].sort(),
      ]);
      expect(s3Grants(spec.name), spec.name).toEqual(Object.fromEntries(expected));
    }
  });

  it('the upload signer may only put uploads, the download signer only get, the sends only get and tag (previews: tag), the deletions only delete, the thumbnail maker only read uploads and write previews', () => {
    const sends = {
      '/attachments/*': ['s3:GetObject', 's3:PutObjectTagging'],
      '/thumbnails/*': ['s3:PutObjectTagging'],
    };
    const deletions = { '/attachments/*': ['s3:DeleteObject'], '/thumbnails/*': ['s3:DeleteObject'] };
    expect(s3Grants('HttpCreateAttachment')).toEqual({
      '/attachments/*': ['s3:PutObject', 's3:PutObjectTagging'],
    });
    expect(s3Grants('HttpDownloadAttachment')).toEqual({
      '/attachments/*': ['s3:GetObject'],
      '/thumbnails/*': ['s3:GetObject'],
    });
    expect(s3Grants('HttpSendMessage')).toEqual(sends);
    expect(s3Grants('WsSendMessage')).toEqual(sends);
    expect(s3Grants('HttpDeleteMessage')).toEqual(deletions);
    expect(s3Grants('HttpRemoveMessage')).toEqual(deletions);
    expect(s3Grants('ThumbnailMaker')).toEqual({
      '/attachments/*': ['s3:GetObject'],
      '/thumbnails/*': ['s3:PutObject', 's3:PutObjectTagging'],
    });
    const listers = allFunctionSpecs.filter((spec) =>
      s3Statements(spec.name).some((statement) => actionsOf(statement).includes('s3:ListBucket')),
    );
    expect(listers).toEqual([]);
  });

  it('hands the bucket name to exactly the attachment functions', () => {
    const withBucket = chatFunctionsOf(resources)
      .filter(([, fn]) => JSON.stringify(fn.Properties.Environment).includes('ATTACHMENTS_BUCKET'))
      .map(([id]) => id.replace(/Function[0-9A-F]{8}$/, ''))
      .sort();
    const expected = allFunctionSpecs
      .filter((spec) => spec.access.attachments)
      .map((spec) => spec.name)
      .sort();
    expect(withBucket).toEqual(expected);
  });
});
