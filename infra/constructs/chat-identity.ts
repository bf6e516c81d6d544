/** Who the users are: a new Cognito user pool and app client (default), or an existing OIDC issuer. */
import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  type UserPoolClientOptions,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { moderatorGroup } from '../../shared/domain/moderators.ts';
import type { CognitoOptions, Identity } from '../config.ts';

const mfaModes = { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED } as const;
const threatProtectionModes = {
  audit: StandardThreatProtectionMode.AUDIT_ONLY,
  enforced: StandardThreatProtectionMode.FULL_FUNCTION,
} as const;

/** The hosted UI's code flow, only where the configuration says where it may return; never the implicit flow. */
function oAuthOf({ callbackUrls, logoutUrls }: CognitoOptions): Partial<UserPoolClientOptions> {
  if (callbackUrls.length === 0) return { disableOAuth: true };
  return {
    oAuth: {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
      scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
      callbackUrls,
      logoutUrls,
    },
  };
}

export interface ChatIdentityProps {
  /** A new Cognito user pool, or the issuer and audiences of an existing OIDC provider. */
  readonly identity: Identity;
  /** What happens to the user pool when it leaves the stack (unused with an OIDC issuer). */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The issuer and audiences both APIs verify tokens against; the user id is the token's `sub`. Declared in `scope`
 * itself (no scope of its own), so the pool and client keep the logical ids that deployed stacks have.
 */
export class ChatIdentity {
  /** The `iss` of accepted tokens. */
  readonly issuer: string;
  /** The accepted `aud` (or `client_id`) values. */
  readonly audiences: string[];
  /** The user pool made for this stack; undefined with an OIDC issuer. */
  readonly userPool?: UserPool;
  /** The user pool's app client; undefined with an OIDC issuer. */
  readonly userPoolClient?: UserPoolClient;

  constructor(scope: Construct, props: ChatIdentityProps) {
    const { identity } = props;
    if (identity.kind === 'oidc') {
      this.issuer = identity.issuer;
      this.audiences = identity.audiences;
      return;
    }
    this.userPool = new UserPool(scope, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      removalPolicy: props.removalPolicy,
      mfa: mfaModes[identity.mfa],
      ...(identity.mfa === 'off' ? {} : { mfaSecondFactor: { otp: true, sms: false } }),
      ...(identity.threatProtection === 'off'
        ? {}
        : {
            featurePlan: FeaturePlan.PLUS,
            standardThreatProtectionMode: threatProtectionModes[identity.threatProtection],
          }),
    });
    // Its members' tokens carry `cognito:groups: [moderators]`, which the moderation routes require.
    new UserPoolGroup(scope, 'ModeratorsGroup', {
      userPool: this.userPool,
      groupName: moderatorGroup,
      description: 'Chat moderators: reports, removals and suspensions',
    });
    this.userPoolClient = new UserPoolClient(scope, 'UserPoolClient', {
      userPool: this.userPool,
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      // A wrong password and an unknown user get the same answer, so sign-in cannot list who has an account.
      preventUserExistenceErrors: true,
      ...oAuthOf(identity),
    });
    this.issuer = `https://cognito-idp.${Stack.of(scope).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.audiences = [this.userPoolClient.userPoolClientId];
  }
}
