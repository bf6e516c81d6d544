/**
 * Tokens signed by the trusted issuer's own key whose claims API Gateway's JWT authorizer refuses (no `exp`,
 * `iat` in the future, `aud`/`client_id` rules, a non-RSA algorithm), or whose `sub` breaks the id rule, are
 * refused at `$connect` (no connection) and on HTTP with 401. A local runtime of its own trusts an issuer this
 * test runs, so it can sign any claims; the global runtime's issuer only signs good tokens.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { clockSkewSeconds } from '../../shared/auth/token-verifier.ts';

type Claims = Record<string, unknown>;
const audience = 'chat-app-client';

let runtime: LocalRuntime;
let jwksServer: Server;
let issuer = '';
let rsaKey: CryptoKey;
let ecKey: CryptoKey;

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  rsaKey = rsa.privateKey;
  ecKey = ec.privateKey;
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  };
  jwksServer = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
  );
  jwksServer.listen(0, '127.0.0.1');
  await once(jwksServer, 'listening');
  issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  runtime = await startLocalRuntime({
    httpPort: 0,
    wsPort: 0,
    streamPollIntervalMs: 20,
    identity: { issuer, audiences: [audience], jwksUri: `${issuer}/jwks.json` },
  });
});

afterAll(async () => {
  await runtime?.stop();
  jwksServer?.close();
});

const newUser = () => `user-${Math.random().toString(36).slice(2, 10)}`;
const now = () => Math.floor(Date.now() / 1000);

/** A token signed by the trusted key with good claims, changed by `changes` (`undefined` removes a claim). */
function sign(changes: Claims = {}, options: { alg?: 'RS256' | 'ES256' } = {}): Promise<string> {
  const claims: Claims = {
    iss: issuer,
    aud: audience,
    sub: newUser(),
    token_use: 'access',
    iat: now(),
    exp: now() + 3600,
    ...changes,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  const alg = options.alg ?? 'RS256';
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: alg === 'RS256' ? 'rsa-1' : 'ec-1' })
    .sign(alg === 'RS256' ? rsaKey : ecKey);
}

/** 101 when the handshake succeeds (the socket is closed again), else the HTTP status of the refusal. */
function handshakeStatus(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${runtime.wsUrl}?token=${encodeURIComponent(token)}`);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

async function httpAnswer(token: string) {
  const answer = await fetch(`${runtime.httpUrl}/conversations`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: answer.status, body: (await answer.json()) as unknown };
}

const refused: [string, () => Promise<string>][] = [
  ['no exp', () => sign({ exp: undefined })],
  ['iat in the future, past the clock skew', () => sign({ iat: now() + clockSkewSeconds + 60 })],
  ['an aud of another client, with our client_id', () => sign({ aud: 'other-client', client_id: audience })],
  ['no aud and the client_id of another client', () => sign({ aud: undefined, client_id: 'other-client' })],
  ['neither aud nor client_id', () => sign({ aud: undefined })],
  ['an algorithm API Gateway does not support (ES256)', () => sign({}, { alg: 'ES256' })],
  ['a sub with #', () => sign({ sub: 'CONV#01HXYZ' })],
  ['a sub with /', () => sign({ sub: 'alice/../bob' })],
  ['a sub of 129 characters', () => sign({ sub: 'a'.repeat(129) })],
  ['an empty sub', () => sign({ sub: '' })],
  ['a sub that is not a string', () => sign({ sub: 42 })],
];

const accepted: [string, () => Promise<string>][] = [
  ['a good token', () => sign()],
  ['an access token with only client_id (Cognito)', () => sign({ aud: undefined, client_id: audience })],
  ['iat within the clock skew', () => sign({ iat: now() + clockSkewSeconds - 20 })],
  ['no iat', () => sign({ iat: undefined })],
  ['a sub of 128 characters of every allowed kind', () => sign({ sub: `Az09_.:@|-${'x'.repeat(118)}` })],
];

describe('a token the trusted issuer signed', () => {
  it.each(refused)('with %s is refused at $connect and on HTTP with 401', async (_label, token) => {
    const jwt = await token();
    expect(await handshakeStatus(jwt)).toBe(401);
    expect(await httpAnswer(jwt)).toEqual({ status: 401, body: { message: 'Unauthorized' } });
  });

  it.each(accepted)('as %s connects and is served on HTTP', async (_label, token) => {
    const jwt = await token();
    expect(await handshakeStatus(jwt)).toBe(101);
    expect((await httpAnswer(jwt)).status).toBe(200);
  });
});
