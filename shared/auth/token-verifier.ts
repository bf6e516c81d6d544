/**
 * JWT verification with aws-jwt-verify, shared by the `$connect` authorizer and the local gateway's emulation of
 * the HTTP API's JWT authorizer. Checks signature (JWKS cached per container), issuer, expiry, and like the HTTP
 * API authorizer, that `aud` or `client_id` is one of the configured audiences (Cognito ID or access tokens).
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { requireEnv } from '../config.ts';

export interface VerifierConfig {
  issuer: string;
  audiences: string[];
  /** Defaults to `${issuer}/.well-known/jwks.json` (Cognito and most OIDC issuers). */
  jwksUri?: string;
}

export type VerifyToken = (token: string) => Promise<{ userId: string }>;

const tokenUses = new Set(['id', 'access']);

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
      customJwtCheck: ({ payload }) => {
        const audiences = [payload.aud, payload.client_id]
          .flat()
          .filter((a): a is string => typeof a === 'string');
        if (!audiences.some((a) => config.audiences.includes(a)))
          throw new Error('Token audience is not accepted');
        if (payload.token_use !== undefined && !tokenUses.has(String(payload.token_use))) {
          throw new Error('Token use is not accepted');
        }
        if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('Token has no subject');
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: platformFetcher }) },
  );
  return async (token) => {
    const payload = await verifier.verify(token);
    return { userId: payload.sub as string };
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
