/** Closes connections through the `@connections` management API (`DeleteConnection`). */
import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionCloser } from '../domain/ports.ts';
import { isGone } from './connection-sender.ts';

export class ManagementApiCloser implements ConnectionCloser {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      // Closed already (by the client, or by an earlier sweep): what was asked holds.
      if (!isGone(error)) throw error;
    }
  }
}
