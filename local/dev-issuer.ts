/**
 * The local development token issuer: real RS256 JWTs signed with a key made at start, published as a JWKS
 * that the shared verifier fetches like any OIDC issuer's. It exists only in the local runtime.
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const devAudience = 'serverless-chat-local';

/** Token lifetimes the local issuer accepts (`expiresInSeconds`): 1 s to 24 h; 12 h unless asked. */
export const devTokenLifetimeSeconds = { min: 1, max: 24 * 3600, default: 12 * 3600 } as const;

export interface DevIssuer {
  issuer: string;
  jwksUri: string;
  jwks: { keys: JWK[] };
  /** A token for `userId`; `groups` become its `cognito:groups` claim, as a Cognito user pool's groups do. */
  issue(userId: string, lifetimeSeconds?: number, groups?: readonly string[]): Promise<string>;
}

export async function createDevIssuer(httpUrl: string): Promise<DevIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `local-${Date.now()}`;
  const issuer = `${httpUrl}/_local`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    jwks: { keys: [publicJwk] },
    issue: (userId, lifetimeSeconds = devTokenLifetimeSeconds.default, groups = []) =>
      new SignJWT({ token_use: 'access', ...(groups.length > 0 ? { 'cognito:groups': [...groups] } : {}) })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(issuer)
        .setAudience(devAudience)
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(privateKey),
  };
}
