/** `$connect`: the authorizer already verified the token; record the connection and mark the user online. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { subprotocolToEcho } from '../../shared/auth/connect-token.ts';
import { connect } from '../../shared/domain/presence.ts';
import { chatContext } from '../../shared/handlers/context.ts';
import { userIdOf, type WebSocketEvent } from '../../shared/handlers/websocket.ts';
import { logger } from '../../shared/observability.ts';

type ConnectEvent = WebSocketEvent & { headers?: Record<string, string | undefined> };

export const handler = middy<ConnectEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    await connect(chatContext(), {
      userId: userIdOf(event),
      connectionId: event.requestContext.connectionId,
    });
    const protocol = subprotocolToEcho(event.headers ?? {});
    return {
      statusCode: 200,
      body: '',
      ...(protocol ? { headers: { 'Sec-WebSocket-Protocol': protocol } } : {}),
    };
  });
