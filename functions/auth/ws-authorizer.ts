/**
 * `$connect` REQUEST authorizer: verifies the JWT from `?token=` or `Sec-WebSocket-Protocol`, and gives the
 * connection's routes its user id and its expiry.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { tokenFromRequest } from '../../shared/auth/connect-token.ts';
import { createTokenVerifier, verifierConfigFromEnv } from '../../shared/auth/token-verifier.ts';
import { logger } from '../../shared/observability.ts';

const verifyToken = createTokenVerifier(verifierConfigFromEnv());

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = tokenFromRequest(event.queryStringParameters ?? {}, event.headers ?? {});
  try {
    if (!token) throw new Error('No token');
    const { userId, expiresAt } = await verifyToken(token);
    return {
      principalId: userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      // API Gateway hands this context to every route of the connection: each one refuses frames after `exp`.
      context: { userId, tokenExpiresAt: expiresAt },
    };
  } catch (error) {
    logger.info('Connection refused', { reason: (error as Error).message });
    // API Gateway answers 401 to this exact message and makes no connection.
    throw new Error('Unauthorized');
  }
}
