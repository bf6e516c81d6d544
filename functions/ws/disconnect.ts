/** `$disconnect` (best effort: connections also expire by themselves): forget the connection. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { disconnect } from '../../shared/domain/presence.ts';
import { chatContext } from '../../shared/handlers/context.ts';
import { userIdOf, type WebSocketEvent } from '../../shared/handlers/websocket.ts';
import { logger } from '../../shared/observability.ts';

export const handler = middy<WebSocketEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    await disconnect(chatContext(), {
      userId: userIdOf(event),
      connectionId: event.requestContext.connectionId,
    });
    return { statusCode: 200, body: '' };
  });
