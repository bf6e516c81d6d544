/** The adapter every HTTP API function uses: event in → one use case → JSON response out. */

import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withDeadline } from '../deadline.ts';
import type { ChatContext } from '../domain/context.ts';
import { limits } from '../domain/limits.ts';
import { refuseSuspendedCaller } from '../domain/suspensions.ts';
import { unauthorized } from '../errors.ts';
import { adapterChain, type ChainOptions, overRateLimit } from './chain.ts';
import { chatContext } from './composition-root.ts';
import { toClientError } from './errors.ts';
import { decodeJson } from './json.ts';

export interface HttpRequest {
  /** The caller, from the claims the API's JWT authorizer verified. */
  userId: string;
  /** The caller's identity-provider groups (`cognito:groups`); the domain decides what each allows. */
  groups: string[];
  body: unknown;
  path: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  /** Beside the JSON content type and correlation id: a redirect's `location`. */
  headers?: Record<string, string>;
}

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/**
 * `cognito:groups` as the HTTP API's JWT authorizer hands it on: an array claim becomes one string, Go-style
 * (`[moderators editors]`); a single group may come bare. A JSON array is taken too (a direct invocation).
 */
export function groupsOfClaim(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  const inner = claim.trim().replace(/^\[(.*)\]$/s, '$1');
  return inner.split(/[\s,]+/).filter((group) => group !== '');
}

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return decodeJson(text, { what: 'request body' });
}

function json(
  statusCode: number,
  body: unknown,
  correlationId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

export function httpHandler(
  run: (request: HttpRequest, ctx: ChatContext) => Promise<HttpResult>,
  options: ChainOptions = {},
) {
  const chain = adapterChain<HttpEvent, APIGatewayProxyStructuredResultV2>(options);
  return chain.handler(async (event, context) => {
    const correlationId = context.awsRequestId;
    try {
      const claims = event.requestContext.authorizer?.jwt?.claims;
      const userId = claims?.sub;
      // In AWS API Gateway's own authorizer verified the token; the id rule is ours (no `#` may reach a key).
      if (typeof userId !== 'string' || !limits.idPattern.test(userId)) throw unauthorized();
      const body = parseBody(event);
      const ctx = (options.context ?? chatContext)();
      // Answers before Lambda's time-out would (see shared/deadline.ts): 503 `internal` instead of API Gateway's.
      const result = await withDeadline(context, async () => {
        // A suspended caller is refused on every route; read beside the rate limit's token, so it adds no wait.
        const [refusal] = await Promise.all([
          overRateLimit(ctx, event.routeKey, userId),
          refuseSuspendedCaller(ctx, userId),
        ]);
        if (refusal) throw refusal.error;
        return run(
          {
            userId,
            groups: groupsOfClaim(claims?.['cognito:groups']),
            body,
            path: event.pathParameters ?? {},
            query: event.queryStringParameters ?? {},
          },
          ctx,
        );
      });
      return json(result.statusCode, result.body, correlationId, result.headers);
    } catch (error) {
      const problem = toClientError(error, correlationId);
      return json(problem.status, { error: { code: problem.code, message: problem.message } }, correlationId);
    }
  });
}
