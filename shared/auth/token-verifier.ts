/**
 * JWT verification with aws-jwt-verify, shared by the `$connect` authorizer and the local gateway's emulation of
 * the HTTP API's JWT authorizer. It refuses what the HTTP API's JWT authorizer refuses ("Control access to HTTP
 * APIs with JWT authorizers", API Gateway developer guide): a `kid` not in the JWKS, a non-RSA algorithm or a bad
 * signature, another `iss`, an `aud` none of the configured audiences (or, only when there is no `aud`, such a
 * `client_id`: Cognito access tokens), no `exp` or one past, `nbf` or `iat` after now. `iat` is allowed
 * `clockSkewSeconds` of skew, as issuers' clocks drift; `exp` and `nbf` none. Beyond API Gateway, it refuses a
 * `sub` that breaks the id rule (`limits.idPattern`), so no user id can reach a key with a `#` or be empty.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { requireEnv } from '../config.ts';
import { limits } from '../domain/limits.ts';

export interface VerifierConfig {
  issuer: string;
  audiences: string[];
  /** Defaults to `${issuer}/.well-known/jwks.json` (Cognito and most OIDC issuers). */
  jwksUri?: string;
}

/**
 * The user, when the token expires (`exp`, epoch seconds: every accepted token has one) and the user's groups
 * (`cognito:groups`; none when the token has no such claim).
 */
export type VerifyToken = (token: string) => Promise<{ userId: string; expiresAt: number; groups: string[] }>;

const tokenUses = new Set(['id', 'access']);

/** API Gateway's JWT authorizer supports only RSA-based algorithms. */
const rsaAlgorithms = new Set(['RS256', 'RS384', 'RS512']);

/** How far in the future a token's `iat` may be (the issuer's clock ahead of ours). */
export const clockSkewSeconds = 60;

const strings = (value: unknown): string[] =>
  [value].flat().filter((v): v is string => typeof v === 'string');

/** Fetches the JWKS with the platform `fetch`, so an http:// issuer (the local runtime's) works as well. */
const platformFetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri);
    if (!response.ok) throw new Error(`JWKS fetch from ${uri} answered ${response.status}`);
    return response.arrayBuffer();
  },
};

export const jwksUriOf = (config: VerifierConfig) =>
  config.jwksUri ?? `${config.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;

export function createTokenVerifier(config: VerifierConfig): VerifyToken {
  const verifier = JwtVerifier.create(
    {
      issuer: config.issuer,
      jwksUri: jwksUriOf(config),
      audience: null,
      customJwtCheck: ({ header, payload }) => {
        if (!rsaAlgorithms.has(String(header.alg))) throw new Error('Token algorithm is not accepted');
        // aws-jwt-verify checks `exp` only when present; API Gateway requires it.
        if (typeof payload.exp !== 'number') throw new Error('Token has no expiry');
        const now = Date.now() / 1000;
        if (payload.iat !== undefined && payload.iat > now + clockSkewSeconds) {
          throw new Error('Token is issued in the future');
        }
        // Like API Gateway: `aud` when present, and `client_id` only when there is no `aud`.
        const audiences = payload.aud === undefined ? strings(payload.client_id) : strings(payload.aud);
        if (!audiences.some((a) => config.audiences.includes(a)))
          throw new Error('Token audience is not accepted');
        if (payload.token_use !== undefined && !tokenUses.has(String(payload.token_use))) {
          throw new Error('Token use is not accepted');
        }
        if (typeof payload.sub !== 'string' || !limits.idPattern.test(payload.sub)) {
          throw new Error('Token subject is not a valid user id');
        }
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: platformFetcher }) },
  );
  return async (token) => {
    const payload = await verifier.verify(token);
    return {
      userId: payload.sub as string,
      expiresAt: payload.exp as number,
      groups: strings(payload['cognito:groups']),
    };
  };
}

/** The issuer configured by the environment (`JWT_ISSUER`, `JWT_AUDIENCE` comma-separated, `JWKS_URI`). */
export function verifierConfigFromEnv(): VerifierConfig {
  return {
    issuer: requireEnv('JWT_ISSUER'),
    audiences: requireEnv('JWT_AUDIENCE')
      .split(',')
      .map((a) => a.trim()),
    ...(process.env.JWKS_URI ? { jwksUri: process.env.JWKS_URI } : {}),
  };
}
