/**
 * The local HTTP API: the routes of the shared route table, each behind the same JWT check the deployed HTTP
 * API's JWT authorizer makes, plus the local-only token issuer and any extra handler (the demo page).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { VerifyToken } from '../shared/auth/token-verifier.ts';
import { limits } from '../shared/domain/limits.ts';
import { recordedEventsOf } from '../shared/moderation/recording-publisher.ts';
import { pushesOf } from '../shared/push/recording-sender.ts';
import { httpRoutes } from '../shared/shape/http-routes.ts';
import type { HttpRoute } from '../shared/shape/routes.ts';
import { type DevIssuer, devTokenLifetimeSeconds } from './dev-issuer.ts';
import type { LocalFunctions } from './lambda.ts';

export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

interface CompiledRoute {
  route: HttpRoute;
  pattern: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = httpRoutes.map((route) => {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
});

const maxBodyBytes = 10 * 1024 * 1024; // API Gateway's own payload limit; handlers enforce ours

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw Object.assign(new Error('Request too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export interface HttpGatewayOptions {
  functions: LocalFunctions;
  verifyToken: VerifyToken;
  /** The local issuer, whose token endpoint is served; absent when the runtime trusts another issuer. */
  devIssuer?: DevIssuer;
  extraHandlers: ExtraHandler[];
}

export function createHttpGateway(options: HttpGatewayOptions) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (options.devIssuer && (await handleLocalIssuer(req, res, url, options.devIssuer))) return;
      // The pushes the local sink received (GET /_local/pushes?userId=), for tests and the demo page.
      if (url.pathname === '/_local/pushes' && req.method === 'GET')
        return send(res, 200, { items: pushesOf(url.searchParams.get('userId') ?? '') });
      // The domain events the local publisher recorded (GET /_local/events?type=), oldest first.
      if (url.pathname === '/_local/events' && req.method === 'GET')
        return send(res, 200, { items: recordedEventsOf(url.searchParams.get('type') ?? undefined) });
      if (options.extraHandlers.some((handle) => handle(req, res))) return;
      const match = matchRoute(req.method ?? 'GET', url.pathname);
      if (!match) return send(res, 404, { message: 'Not Found' });
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const claims = token ? await options.verifyToken(token).catch(() => undefined) : undefined;
      // Like API Gateway's JWT authorizer: a missing or bad token never reaches the function.
      if (!claims) return send(res, 401, { message: 'Unauthorized' });
      const body = await readBody(req);
      const event = httpEvent(req, url, match, body, claims);
      const result = (await options.functions.invoke(
        match.route.name,
        event,
      )) as APIGatewayProxyStructuredResultV2;
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body ?? '');
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      send(res, status, { message: status === 413 ? 'Request Entity Too Large' : 'Internal Server Error' });
    }
  };
}

function matchRoute(method: string, path: string) {
  for (const entry of compiled) {
    if (entry.route.method !== method) continue;
    const found = entry.pattern.exec(path);
    if (!found) continue;
    const pathParameters = Object.fromEntries(
      entry.params.map((name, i) => [name, decodePathSegment(found[i + 1] ?? '')]),
    );
    return { route: entry.route, pathParameters };
  }
  return undefined;
}

/** Like API Gateway, a segment that is not valid percent-encoding is passed on as it is (the schema refuses it). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function httpEvent(
  req: IncomingMessage,
  url: URL,
  match: { route: HttpRoute; pathParameters: Record<string, string> },
  body: string,
  { userId, groups }: { userId: string; groups: string[] },
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const routeKey = `${match.route.method} ${match.route.path}`;
  const query = Object.fromEntries(url.searchParams);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.searchParams.toString(),
    headers: Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    ),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    ...(body === '' ? {} : { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local-http',
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'local-http',
      http: {
        method: match.route.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      authorizer: {
        principalId: userId,
        integrationLatency: 0,
        // API Gateway hands array claims on as one string, Go-style: `[moderators other]`.
        jwt: {
          claims: {
            sub: userId,
            ...(groups.length > 0 ? { 'cognito:groups': `[${groups.join(' ')}]` } : {}),
          },
          scopes: [],
        },
      },
    },
  };
}

/**
 * The local issuer's routes: its JWKS, and `POST /_local/token {"userId", "expiresInSeconds"?, "groups"?}` →
 * `{"token"}`, a token for that user. `expiresInSeconds` (a whole number, 1 to 86400; 12 h when absent) sets its
 * `exp`, so tests can watch a client renew short tokens; `groups` (ids, as Cognito groups) become the token's
 * `cognito:groups`, so `["moderators"]` makes a moderator.
 */
/** Groups one local token may carry (Cognito allows a user 100; a test needs a few). */
const maxDevGroups = 10;

async function handleLocalIssuer(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  issuer: DevIssuer,
): Promise<boolean> {
  if (url.pathname === '/_local/.well-known/jwks.json' && req.method === 'GET') {
    send(res, 200, issuer.jwks);
    return true;
  }
  if (url.pathname !== '/_local/token') return false;
  if (req.method !== 'POST') {
    send(res, 405, { message: 'Use POST' });
    return true;
  }
  let request: { userId?: unknown; expiresInSeconds?: unknown; groups?: unknown } = {};
  try {
    request = JSON.parse(await readBody(req)) ?? {};
  } catch {
    // Answered below as a missing userId.
  }
  const { userId, expiresInSeconds = devTokenLifetimeSeconds.default, groups = [] } = request;
  const invalid = (message: string) => send(res, 400, { error: { code: 'validation_failed', message } });
  if (typeof userId !== 'string' || !limits.idPattern.test(userId)) {
    invalid('userId: must be 1-128 of A-Z a-z 0-9 _ . : @ | -');
    return true;
  }
  const { min, max } = devTokenLifetimeSeconds;
  if (
    !Number.isInteger(expiresInSeconds) ||
    (expiresInSeconds as number) < min ||
    (expiresInSeconds as number) > max
  ) {
    invalid(`expiresInSeconds: must be a whole number from ${min} to ${max}`);
    return true;
  }
  if (
    !Array.isArray(groups) ||
    groups.length > maxDevGroups ||
    !groups.every((group) => typeof group === 'string' && limits.idPattern.test(group))
  ) {
    invalid(`groups: must be a list of at most ${maxDevGroups} ids`);
    return true;
  }
  send(res, 200, { token: await issuer.issue(userId, expiresInSeconds as number, groups as string[]) });
  return true;
}
