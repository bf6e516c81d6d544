/**
 * The LocalStack deploy run as far as it can go without LocalStack: its CDK steps (cdklocal bootstrap, deploy,
 * the output check), with the scripts' own environment, against moto_server on loopback. moto's S3,
 * CloudFormation, IAM, SSM and STS take the bootstrap and the function assets; its CloudFormation knows no
 * `AWS::ApiGatewayV2::*` or Cognito resources and skips them, which is what LocalStack does on a plan without
 * them, so the output check must fail and name what is missing.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { allFunctionSpecs } from '../../shared/shape/functions.ts';
import { type MotoServer, requireAwsTool, startMotoServer } from '../support/aws-tools.ts';

const run = promisify(execFile);
const functionCount = allFunctionSpecs.length;
let moto: MotoServer | undefined;

afterAll(() => {
  moto?.stop();
});

describe('the LocalStack deploy script, against moto_server', () => {
  it('bootstraps, publishes every function, deploys, and then fails naming the outputs of what was skipped', async (ctx) => {
    requireAwsTool(ctx, 'moto_server');
    requireAwsTool(ctx, 'aws');
    moto = await startMotoServer();
    const { endpoint } = moto;
    const work = mkdtempSync(join(tmpdir(), 'localstack-steps-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: endpoint,
      CHAT_CDK_OUT: join(work, 'cdk.out'),
      CHAT_STACK_OUTPUTS: join(work, 'outputs.json'),
    };
    // No AWS_ENDPOINT_URL_S3: the scripts' environment must derive it, or cdklocal refuses to start.
    delete env.AWS_ENDPOINT_URL_S3;

    const deploy = await run('bash', ['scripts/localstack-deploy-steps.sh'], {
      env,
      maxBuffer: 64 << 20,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (failure: { code: number; stderr: string }) => failure,
    );

    expect(deploy.stderr).not.toContain('AWS_ENDPOINT_URL_S3');
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(/Chat-local deployed without .*WebSocketUrl, HttpApiUrl/);
    // The same dummy credentials and region the scripts default to.
    const awsEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const aws = async (...args: string[]) =>
      JSON.parse(
        (await run('aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], { env: awsEnv })).stdout,
      );
    const stacks = await aws('cloudformation', 'describe-stacks');
    const status = Object.fromEntries(
      (stacks.Stacks as { StackName: string; StackStatus: string }[]).map((s) => [
        s.StackName,
        s.StackStatus,
      ]),
    );
    expect(status).toMatchObject({ CDKToolkit: 'CREATE_COMPLETE', 'Chat-local': 'CREATE_COMPLETE' });
    // The bootstrap's staging bucket, named after moto's account.
    const bucket = 'cdk-hnb659fds-assets-123456789012-us-east-1';
    const assets = await aws('s3api', 'list-objects-v2', '--bucket', bucket);
    const zips = (assets.Contents as { Key: string }[]).filter((o) => o.Key.endsWith('.zip'));
    expect(zips.length).toBe(functionCount);
    const created = await aws('cloudformation', 'describe-stack-resources', '--stack-name', 'Chat-local');
    const types = (created.StackResources as { ResourceType: string }[]).map((r) => r.ResourceType);
    // Every function, and CDK's handler of the bucket's notifications (its code inline, so no zip of its own).
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(functionCount + 1);
    expect(types).toContain('AWS::DynamoDB::Table');
    // Its synthesis builds every function in one esbuild run (infra/bundling.ts): about 55 s alone, all told.
  }, 480_000);
});
