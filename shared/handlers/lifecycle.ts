/**
 * The adapter of the connection's lifecycle routes, `$connect` and `$disconnect`: event in → one use case → the
 * status API Gateway reads. No `error` event can be sent (the socket is not open, or no longer), so errors are
 * not caught: a failed `$connect` refuses the handshake, as API Gateway does when the integration fails.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { withDeadline } from '../deadline.ts';
import type { ChatContext } from '../domain/context.ts';
import { adapterChain } from './chain.ts';
import { chatContext } from './composition-root.ts';
import { tokenExpiresAtMsOf, userIdOf, type WebSocketEvent } from './websocket.ts';

/** `$connect` also carries the handshake's headers. */
export type LifecycleEvent = WebSocketEvent & { headers?: Record<string, string | undefined> };

export interface LifecycleRequest {
  /** The caller, from the context the authorizer returned. */
  userId: string;
  connectionId: string;
  /** When the connection's token expires (from the authorizer's context). */
  tokenExpiresAtMs: number | undefined;
  headers: Record<string, string | undefined>;
}

export interface LifecycleResult {
  /** Headers for the handshake's answer (`$connect` only). */
  headers?: Record<string, string>;
  /** Refuses the handshake with this status (`$connect` only): API Gateway then makes no connection. */
  refuseWith?: number;
}

export function lifecycleHandler(
  run: (request: LifecycleRequest, ctx: ChatContext) => Promise<LifecycleResult>,
) {
  return adapterChain<LifecycleEvent, APIGatewayProxyResult>().handler(async (event, context) => {
    const ctx = chatContext();
    const request = {
      userId: userIdOf(event),
      connectionId: event.requestContext.connectionId,
      tokenExpiresAtMs: tokenExpiresAtMsOf(event),
      headers: event.headers ?? {},
    };
    // Fails before Lambda's time-out would (see shared/deadline.ts), so a stalled `$connect` refuses sooner.
    const result = await withDeadline(context, () => run(request, ctx));
    return {
      statusCode: result.refuseWith ?? 200,
      body: '',
      ...(result.headers ? { headers: result.headers } : {}),
    };
  });
}
