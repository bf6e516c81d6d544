/**
 * The stack's side of previews: each upload under `attachments/` invokes the thumbnail maker (1024 MB, a minute,
 * arm64), S3's asynchronous invoke is retried twice and then dead-lettered to an encrypted, TLS-only queue that
 * alarms; and the sharp its bundle leaves out is installed beside it for Lambda's platform, whatever the build's.
 */
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { installSharp } from '../../infra/bundling.ts';
import { type Resources, resourcesOfType, statementsOf, synthesize } from '../support/stack-template.ts';

let resources: Resources;
let outputs: Record<string, { Value: unknown }>;

beforeAll(() => {
  const { template } = synthesize();
  resources = template.toJSON().Resources as Resources;
  outputs = template.toJSON().Outputs as typeof outputs;
}, 120_000);

/** The logical id of the one resource of `type` whose id begins with `prefix`. */
function idOf(type: string, prefix: string): string {
  const found = resourcesOfType(resources, type).filter(([id]) => id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return (found[0] as [string, unknown])[0];
}
const makerId = () => idOf('AWS::Lambda::Function', 'ThumbnailMakerFunction');
const deadLettersId = () => idOf('AWS::SQS::Queue', 'ThumbnailDeadLetters');
const propertiesOf = (id: string) => resources[id]?.Properties ?? {};

describe('the thumbnail maker', () => {
  it('is invoked by S3 for every object created under attachments/ (so a preview never invokes it)', () => {
    const [bucket] = resourcesOfType(resources, 'AWS::S3::Bucket');
    const notifications = resourcesOfType(resources, 'Custom::S3BucketNotifications');
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.[1].Properties).toMatchObject({
      BucketName: { Ref: bucket?.[0] },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'attachments/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [makerId(), 'Arn'] },
          },
        ],
      },
    });
    const permissions = resourcesOfType(resources, 'AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties.Principal === 's3.amazonaws.com',
    );
    expect(permissions.map(([, permission]) => permission.Properties)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [makerId(), 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [bucket?.[0], 'Arn'] },
      }),
    ]);
  });

  it('has 1024 MB (CPU scales with memory: decoding is CPU-bound) and a minute, on arm64', () => {
    expect(propertiesOf(makerId())).toMatchObject({
      MemorySize: 1024,
      Timeout: 60,
      Architectures: ['arm64'],
    });
  });

  it("retries S3's asynchronous invoke twice, for at most an hour, then sends the event to its dead letters", () => {
    const configs = resourcesOfType(resources, 'AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, config]) => config.Properties)).toEqual([
      {
        FunctionName: { Ref: makerId() },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLettersId(), 'Arn'] } } },
      },
    ]);
    const sends = statementsOf(resources, 'ThumbnailMaker').filter(
      (statement) =>
        JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [deadLettersId(), 'Arn'] }),
    );
    expect(sends.flatMap((statement) => statement.Action)).toContain('sqs:SendMessage');
  });

  it('dead-letters to an encrypted, TLS-only queue kept 14 days, which alarms and is an output', () => {
    expect(propertiesOf(deadLettersId())).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    const policies = resourcesOfType(resources, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
      JSON.stringify(policy.Properties.Queues).includes(deadLettersId()),
    );
    expect(policies[0]?.[1].Properties.PolicyDocument).toMatchObject({
      Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    });
    const alarms = resourcesOfType(resources, 'AWS::CloudWatch::Alarm').filter(([, alarm]) =>
      JSON.stringify(alarm.Properties.Dimensions).includes(deadLettersId()),
    );
    expect(alarms.map(([, alarm]) => alarm.Properties)).toEqual([
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: idOf('AWS::SNS::Topic', 'AlarmTopic') }],
      }),
    ]);
    expect(outputs.ThumbnailDeadLetterQueueUrl?.Value).toEqual({ Ref: deadLettersId() });
  });
});

/** ELF's `e_machine` of 64-bit ARM. */
const aarch64 = 183;

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The machine an ELF file is built for, undefined when it is no ELF file. */
async function elfMachine(file: string): Promise<number | undefined> {
  const handle = await open(file);
  try {
    const { buffer } = await handle.read(Buffer.alloc(20), 0, 20, 0);
    return buffer.subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1'))
      ? buffer.readUInt16LE(18)
      : undefined;
  } finally {
    await handle.close();
  }
}

describe("sharp in the thumbnail maker's asset", () => {
  let asset: string;
  let installError: unknown;

  // What the asset's bundling runs once the bundle is there, into a folder standing for the asset.
  beforeAll(async () => {
    asset = await mkdtemp(join(tmpdir(), 'thumbnail-asset-'));
    try {
      installSharp(asset);
    } catch (error) {
      installError = error;
    }
  }, 90_000);
  afterAll(() => rm(asset, { recursive: true, force: true }));

  /** The npm registry is needed; CI has it, so there a failed install fails the test. */
  const installed = ({ skip }: TestContext) => {
    if (installError === undefined) return;
    if (process.env.CI === 'true') throw installError;
    skip(`npm could not install sharp (no registry from here?): ${String(installError).slice(0, 200)}`);
  };

  it('is the locked version, built for Linux arm64 with glibc, with its libvips', async (context) => {
    installed(context);
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const sharp = JSON.parse(await readFile(join(asset, 'node_modules/sharp/package.json'), 'utf8'));
    expect(sharp.version).toBe(lock.packages['node_modules/sharp']?.version);
    expect((await readdir(join(asset, 'node_modules/@img'))).sort()).toEqual([
      'colour',
      'sharp-libvips-linux-arm64',
      'sharp-linux-arm64',
    ]);
    const addons = (await filesUnder(join(asset, 'node_modules'))).filter((file) => file.endsWith('.node'));
    expect(addons.map((file) => file.slice(asset.length))).toEqual([
      `/node_modules/@img/sharp-linux-arm64/lib/sharp-linux-arm64-${sharp.version}.node`,
    ]);
    const libvips = await filesUnder(join(asset, 'node_modules/@img/sharp-libvips-linux-arm64/lib'));
    expect(libvips.some((file) => /libvips-cpp\.so/.test(file))).toBe(true);
  });

  it('ships no binary for any other machine (the build machine’s x64 included)', async (context) => {
    installed(context);
    const machines = new Map<string, number>();
    for (const file of await filesUnder(join(asset, 'node_modules'))) {
      const machine = await elfMachine(file);
      if (machine !== undefined) machines.set(file.slice(asset.length), machine);
    }
    expect(machines.size).toBeGreaterThan(1);
    expect([...machines].filter(([, machine]) => machine !== aarch64)).toEqual([]);
  });
});
