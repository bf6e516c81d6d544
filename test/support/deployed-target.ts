/**
 * A deployed stack as the end-to-end tests' target (`CHAT_TARGET=deployed`). Its addresses come from the file
 * `cdk deploy --outputs-file` writes (`npm run deploy` and `npm run deploy:localstack` both write one). Its users
 * are made on demand: in the stack's Cognito pool, or, for a stack that trusts another issuer, by a command
 * that prints a token for a user name. Either way a user's id is the `sub` of its token, as the stack sees it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { moderatorGroup } from '../../shared/domain/moderators.ts';
import type { Target, UserIds } from './target.ts';

/** The stack outputs the suite reads (see `infra/chat-stack.ts`). */
interface StackOutputs {
  HttpApiUrl: string;
  WebSocketUrl: string;
  Region?: string;
  UserPoolId?: string;
  UserPoolClientId?: string;
}

/** Reads one stack's outputs from a `cdk deploy --outputs-file` file, which maps stack names to outputs. */
function readStackOutputs(path: string, stackName?: string): StackOutputs {
  let stacks: Record<string, Partial<StackOutputs>>;
  try {
    stacks = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`CHAT_TARGET=deployed reads the stack outputs from ${path}: ${(error as Error).message}`);
  }
  const names = Object.keys(stacks);
  const name = stackName ?? (names.length === 1 ? names[0] : undefined);
  const outputs = name === undefined ? undefined : stacks[name];
  if (!outputs)
    throw new Error(`${path} holds the stacks [${names.join(', ')}]; set CHAT_STACK_NAME to one of them`);
  const { HttpApiUrl, WebSocketUrl } = outputs;
  if (!HttpApiUrl || !WebSocketUrl)
    throw new Error(`${path}: stack ${name} has no HttpApiUrl or WebSocketUrl`);
  return { ...outputs, HttpApiUrl, WebSocketUrl };
}

/** Signs a new user in (in those groups) and answers its token. */
type SignUp = (username: string, groups?: readonly string[]) => Promise<string>;

/** Users made in the stack's Cognito pool, with one random password per run; deleted when a test file ends. */
class CognitoTestUsers {
  private readonly client: CognitoIdentityProviderClient;
  private readonly password = `Aa1!${randomBytes(18).toString('base64url')}`;
  private readonly made: string[] = [];

  constructor(
    private readonly userPoolId: string,
    private readonly clientId: string,
    region: string | undefined,
  ) {
    // The endpoint comes from AWS_ENDPOINT_URL (LocalStack) or AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
    this.client = new CognitoIdentityProviderClient(region ? { region } : {});
  }

  readonly signUp: SignUp = async (username, groups = []) => {
    const pool = { UserPoolId: this.userPoolId, Username: username };
    await this.client.send(new AdminCreateUserCommand({ ...pool, MessageAction: 'SUPPRESS' }));
    this.made.push(username);
    // Before signing in: the token carries the groups the user had then (`cognito:groups`).
    for (const GroupName of groups)
      await this.client.send(new AdminAddUserToGroupCommand({ ...pool, GroupName }));
    await this.client.send(
      new AdminSetUserPasswordCommand({ ...pool, Password: this.password, Permanent: true }),
    );
    const signedIn = await this.client.send(
      new InitiateAuthCommand({
        ClientId: this.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: this.password },
      }),
    );
    const token = signedIn.AuthenticationResult?.IdToken;
    if (!token) throw new Error(`Cognito answered no ID token for ${username}`);
    return token;
  };

  async deleteAll(): Promise<void> {
    const usernames = this.made.splice(0);
    await Promise.all(
      usernames.map((Username) =>
        this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username })),
      ),
    );
  }
}

/**
 * For a stack that trusts another issuer: `CHAT_TOKEN_COMMAND <username> [groups]` prints a token for that user,
 * in those groups (comma-separated; `moderators` for a moderator).
 */
function tokenCommand(command: string): SignUp {
  return async (username, groups = []) => {
    const { stdout } = await promisify(execFile)('sh', [
      '-c',
      `${command} "$0" "$1"`,
      username,
      groups.join(','),
    ]);
    return stdout.trim();
  };
}

let cognitoUsers: CognitoTestUsers | undefined;

export function deployedTarget(): Target {
  const outputs = readStackOutputs(
    process.env.CHAT_STACK_OUTPUTS ?? 'cdk-outputs.json',
    process.env.CHAT_STACK_NAME,
  );
  const command = process.env.CHAT_TOKEN_COMMAND;
  let signUp: SignUp;
  if (command) signUp = tokenCommand(command);
  else if (outputs.UserPoolId && outputs.UserPoolClientId) {
    cognitoUsers = new CognitoTestUsers(outputs.UserPoolId, outputs.UserPoolClientId, outputs.Region);
    signUp = cognitoUsers.signUp;
  } else throw new Error('The stack has no Cognito pool: set CHAT_TOKEN_COMMAND to sign users in');
  // One run's users share a prefix, so leftovers of an interrupted run are easy to find in the pool.
  const run = randomBytes(3).toString('hex');
  const tokens = new Map<string, string>();
  const newUser = async (name: string, groups: readonly string[] = []) => {
    const token = await signUp(`e2e-${run}-${name}-${randomBytes(4).toString('hex')}`, groups);
    const { sub } = decodeJwt(token);
    if (!sub) throw new Error(`The token for ${name} has no sub`);
    tokens.set(sub, token);
    return sub;
  };
  return {
    isLocal: false,
    // A hand-written outputs file may give the address with a trailing slash; the tests' paths start with one.
    httpUrl: outputs.HttpApiUrl.replace(/\/$/, ''),
    wsUrl: outputs.WebSocketUrl,
    // LocalStack polls streams with back-off up to 10 s; on AWS a stream event takes well under a second.
    eventTimeoutMs: Number(process.env.CHAT_EVENT_TIMEOUT_MS ?? 15_000),
    newUsers: async (...names) =>
      (await Promise.all(names.map((name) => newUser(name)))) as UserIds<typeof names>,
    newModerator: (name) => newUser(name, [moderatorGroup]),
    async tokenFor(userId) {
      const token = tokens.get(userId);
      if (!token) throw new Error(`${userId} was not made by this target's newUsers`);
      return token;
    },
  };
}

/** Removes the Cognito users this test file made (a no-op on other targets). */
export async function deleteTestUsers(): Promise<void> {
  await cognitoUsers?.deleteAll();
}
