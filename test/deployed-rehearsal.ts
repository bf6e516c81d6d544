/**
 * `npm run test:rehearsal`: the end-to-end suite run exactly as against a deployed stack (`CHAT_TARGET=deployed`),
 * on this machine. A Cognito stand-in (cognito-local) holds a user pool and app client shaped like the stack's,
 * the local runtime trusts that pool instead of its own issuer, and a stack-outputs file like the one
 * `cdk deploy --outputs-file` writes points the suite at it. The suite then makes its users through the Cognito
 * API and knows them only by the `sub` in their tokens, as it does on AWS and LocalStack.
 *
 * The stand-in keeps its hot state on Valkey (`-c hotState=elasticache` in AWS), so `npm test` runs the
 * end-to-end suite on both backends: the local-target run on DynamoDB, this one on a real Valkey server.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalRuntime } from '../local/runtime.ts';
import { moderatorGroup } from '../shared/domain/moderators.ts';
import { raiseSharedRuntimeRateLimits } from './support/shared-runtime-limits.ts';

const require = createRequire(import.meta.url);
/** The suite's environment, before the runtime points this process's AWS clients at DynamoDB Local. */
const suiteEnv = { ...process.env };

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || !address) throw new Error('No free port');
  return address.port;
}

async function startCognitoLocal(dir: string): Promise<{ endpoint: string; process: ChildProcess }> {
  // cognito-local makes e-mail usernames by default; the stack's pool takes names, with e-mail as an alias.
  await mkdir(join(dir, '.cognito'));
  await writeFile(
    join(dir, '.cognito', 'config.json'),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }),
  );
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [require.resolve('cognito-local/lib/bin/start.js')], {
    cwd: dir,
    env: { ...suiteEnv, PORT: String(port), HOST: '127.0.0.1', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cognito-local exited with ${child.exitCode}`);
    const healthy = await fetch(`${endpoint}/health`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (healthy) return { endpoint, process: child };
    if (Date.now() > deadline) throw new Error('cognito-local did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const cognitoClient = (endpoint: string) =>
  new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** A pool and app client configured like the stack's (`infra/constructs/chat-identity.ts`). */
async function createUserPool(endpoint: string) {
  const cognito = cognitoClient(endpoint);
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: 'chat-rehearsal',
      AliasAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    }),
  );
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool?.Id,
      ClientName: 'chat-rehearsal',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  await cognito.send(new CreateGroupCommand({ UserPoolId: UserPool?.Id, GroupName: moderatorGroup }));
  cognito.destroy();
  if (!UserPool?.Id || !UserPoolClient?.ClientId) throw new Error('cognito-local made no pool or client');
  return { userPoolId: UserPool.Id, clientId: UserPoolClient.ClientId };
}

/** The users a run left in the pool: the suite deletes the ones it made, as it must on a real pool. */
async function leftoverUsers(endpoint: string, userPoolId: string): Promise<string[]> {
  const cognito = cognitoClient(endpoint);
  const { Users = [] } = await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId }));
  cognito.destroy();
  return Users.map((user) => user.Username ?? '?');
}

/** Runs the end-to-end files (or the files given on the command line) in a vitest of their own. */
function runSuite(env: NodeJS.ProcessEnv): Promise<number> {
  const files = process.argv.length > 2 ? process.argv.slice(2) : ['test/e2e'];
  const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const suite = spawn(process.execPath, [vitest, 'run', ...files], { env, stdio: 'inherit' });
  return new Promise((resolve) => suite.once('exit', (code) => resolve(code ?? 1)));
}

const dir = await mkdtemp(join(tmpdir(), 'chat-rehearsal-'));
const cognito = await startCognitoLocal(dir);
let exitCode = 1;
try {
  const { userPoolId, clientId } = await createUserPool(cognito.endpoint);
  raiseSharedRuntimeRateLimits();
  const runtime = await startLocalRuntime({
    httpPort: 0,
    wsPort: 0,
    streamPollIntervalMs: 20,
    hotState: 'valkey',
    identity: { issuer: `${cognito.endpoint}/${userPoolId}`, audiences: [clientId] },
  });
  try {
    const outputsFile = join(dir, 'outputs.json');
    const outputs = {
      HttpApiUrl: runtime.httpUrl,
      WebSocketUrl: runtime.wsUrl,
      TableName: runtime.tableName,
      Region: 'us-east-1',
      UserPoolId: userPoolId,
      UserPoolClientId: clientId,
    };
    await writeFile(outputsFile, JSON.stringify({ 'ChatStack-rehearsal': outputs }, null, 2));
    console.log(
      `Rehearsing the deployed-target suite against ${runtime.httpUrl}, pool ${userPoolId}, hot state on Valkey ${runtime.valkeyUrl}`,
    );
    const env = { ...suiteEnv };
    // Only Cognito calls leave the suite, and they go to the stand-in, with stand-in credentials.
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
    exitCode = await runSuite({
      ...env,
      CHAT_TARGET: 'deployed',
      CHAT_STACK_OUTPUTS: outputsFile,
      CHAT_EVENT_TIMEOUT_MS: '5000',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const leftovers = await leftoverUsers(cognito.endpoint, userPoolId);
    if (leftovers.length > 0) {
      console.error(`The suite left ${leftovers.length} test users in the pool: ${leftovers.join(', ')}`);
      exitCode ||= 1;
    }
  } finally {
    await runtime.stop();
  }
} finally {
  cognito.process.kill();
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
