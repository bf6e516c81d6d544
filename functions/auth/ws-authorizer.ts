/**
 * `$connect` REQUEST authorizer: verifies the JWT from `?token=` or `Sec-WebSocket-Protocol`, refuses a suspended
 * user, and gives the connection's routes its user id and its expiry.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { tokenFromRequest } from '../../shared/auth/connect-token.ts';
import { createTokenVerifier, verifierConfigFromEnv } from '../../shared/auth/token-verifier.ts';
import { createDocumentClient } from '../../shared/clients.ts';
import { requireEnv } from '../../shared/config.ts';
import { logger } from '../../shared/observability.ts';
import { SuspensionStore } from '../../shared/store/suspension-store.ts';

const verifyToken = createTokenVerifier(verifierConfigFromEnv());
let suspensions: SuspensionStore | undefined;

const policy = (userId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId: userId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
});

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = tokenFromRequest(event.queryStringParameters ?? {}, event.headers ?? {});
  try {
    if (!token) throw new Error('No token');
    const { userId, expiresAt } = await verifyToken(token);
    suspensions ??= new SuspensionStore({
      client: createDocumentClient(),
      tableName: requireEnv('TABLE_NAME'),
    });
    // Strongly consistent: a user suspended a moment ago must not connect (`$connect` checks once more).
    if (await suspensions.inForce(userId, Date.now())) {
      logger.info('Connection refused', { reason: 'suspended' });
      // API Gateway answers 403 to a Deny and makes no connection.
      return policy(userId, 'Deny', event.methodArn);
    }
    return {
      ...policy(userId, 'Allow', event.methodArn),
      // API Gateway hands this context to every route of the connection: each one refuses frames after `exp`.
      context: { userId, tokenExpiresAt: expiresAt },
    };
  } catch (error) {
    logger.info('Connection refused', { reason: (error as Error).message });
    // API Gateway answers 401 to this exact message and makes no connection.
    throw new Error('Unauthorized');
  }
}
