/** The adapter every WebSocket route function uses: frame in → one use case; problems answer an `error` event. */

import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { withDeadline } from '../deadline.ts';
import type { ChatContext } from '../domain/context.ts';
import type { ServerEvent } from '../domain/model.ts';
import { endExpiredConnection, tokenHasExpired } from '../domain/token-expiry.ts';
import { unauthorized } from '../errors.ts';
import { logger } from '../observability.ts';
import { adapterChain, type ChainOptions, overRateLimit } from './chain.ts';
import { chatContext } from './composition-root.ts';
import { toClientError } from './errors.ts';
import { decodeJson } from './json.ts';

/** API Gateway passes the authorizer's context to every route; the user id is taken only from there. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: { authorizer?: { userId?: string; tokenExpiresAt?: number | string } };
};

export interface WebSocketRequest {
  userId: string;
  connectionId: string;
  /** The parsed frame (an object), not yet validated. */
  frame: Record<string, unknown>;
  /**
   * Answers the frame on its socket. From then on the frame is answered: a later failure (the deadline too) is
   * logged, never sent as an `error` the client would take for the frame's outcome.
   */
  reply: (event: ServerEvent) => Promise<void>;
}

/** A missing body is no frame: it fails as text that is not JSON does. */
export const parseFrame = (body: string | undefined) => decodeJson(body ?? '', { what: 'frame' });

/** The frame, or undefined where the body is none (to name the send that a refusal answers). */
function frameOrNothing(body: string | undefined): Record<string, unknown> | undefined {
  try {
    return parseFrame(body);
  } catch {
    return undefined;
  }
}

/** When the connection's token expires: its `exp` (epoch seconds), which the authorizer put in the context. */
export function tokenExpiresAtMsOf(event: WebSocketEvent): number | undefined {
  const exp = Number(event.requestContext.authorizer?.tokenExpiresAt);
  return Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
}

export function userIdOf(event: WebSocketEvent): string {
  const userId = event.requestContext.authorizer?.userId;
  if (typeof userId !== 'string' || userId === '') throw unauthorized();
  return userId;
}

const stringField = (frame: Record<string, unknown> | undefined, name: string) =>
  typeof frame?.[name] === 'string' ? (frame[name] as string).slice(0, 128) : undefined;

export function webSocketHandler(
  run: (request: WebSocketRequest, ctx: ChatContext) => Promise<void>,
  options: ChainOptions = {},
) {
  return adapterChain<WebSocketEvent, APIGatewayProxyResult>(options).handler(async (event, context) => {
    const { connectionId } = event.requestContext;
    const ctx = (options.context ?? chatContext)();
    let frame: Record<string, unknown> | undefined;
    let userId: string | undefined;
    let answered = false;
    try {
      const user = userIdOf(event);
      userId = user;
      // Answers before Lambda's time-out would (see shared/deadline.ts): an `error` event naming the send.
      await withDeadline(context, async () => {
        // Read leniently first, so that any error below names the frame's action and clientMessageId.
        frame = frameOrNothing(event.body);
        // A connection stops working at its token's `exp`: any frame then is answered and the connection closed.
        if (tokenHasExpired(tokenExpiresAtMsOf(event), ctx.clock())) {
          return endExpiredConnection(
            ctx,
            { userId: user, connectionId },
            { action: stringField(frame, 'action'), clientMessageId: stringField(frame, 'clientMessageId') },
          );
        }
        const refusal = await overRateLimit(ctx, event.requestContext.routeKey, user);
        if (refusal) {
          // A refused send always names its clientMessageId (the client fails it); other refused frames are
          // answered once a minute and then dropped, so a flood of them costs no posts.
          if (refusal.toldBefore && stringField(frame, 'clientMessageId') === undefined) return;
          throw refusal.error;
        }
        frame = parseFrame(event.body);
        const reply = (answer: ServerEvent) => {
          answered = true;
          return ctx.notifier.toConnection({ userId: user, connectionId }, answer);
        };
        await run({ userId: user, connectionId, frame, reply }, ctx);
      });
    } catch (error) {
      if (answered) {
        logger.warn('The frame was answered before this failure', { error });
        return { statusCode: 200, body: '' };
      }
      const problem = toClientError(error, context.awsRequestId);
      const clientMessageId = stringField(frame, 'clientMessageId');
      const action = stringField(frame, 'action');
      await ctx.notifier.toConnection(
        { userId: userId ?? '', connectionId },
        {
          type: 'error',
          code: problem.code,
          message: problem.message,
          ...(clientMessageId ? { clientMessageId } : {}),
          ...(action ? { action } : {}),
        },
      );
    }
    return { statusCode: 200, body: '' };
  });
}
