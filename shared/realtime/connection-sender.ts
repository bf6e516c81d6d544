/**
 * Posts frames to WebSocket connections through the `@connections` management API. One failing socket never
 * fails the others: a gone one (410) is pruned, throttling and server errors are retried with backoff.
 */
import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { forEachBounded } from '../async.ts';
import { invocationExpired } from '../deadline.ts';
import type { ServerEvent } from '../domain/model.ts';
import type { DeliveryReport, LiveConnection } from '../domain/ports.ts';

export interface ConnectionSenderOptions {
  client: ApiGatewayManagementApiClient;
  /** Called for exactly the connection that answered 410 Gone. */
  onGone: (connection: LiveConnection) => Promise<void>;
  concurrency?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
}

const encoder = new TextEncoder();

function isRetryable(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = candidate.$metadata?.httpStatusCode ?? 0;
  return (
    candidate.name === 'LimitExceededException' ||
    candidate.name === 'ThrottlingException' ||
    status === 429 ||
    status >= 500
  );
}

export function isGone(error: unknown): boolean {
  return (
    error instanceof GoneException ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
  );
}

export class ConnectionSender {
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: ConnectionSenderOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 50;
  }

  /** Sends one event, encoded once, to each connection. */
  async send(connections: readonly LiveConnection[], event: ServerEvent): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, pruned: 0, failed: 0, retries: 0 };
    // Work past its deadline has already answered (an `error`); it must not reach clients later.
    if (invocationExpired()) return report;
    const data = encoder.encode(JSON.stringify(event));
    await forEachBounded(connections, this.concurrency, (connection) =>
      this.sendOne(connection, data, report),
    );
    return report;
  }

  private async sendOne(connection: LiveConnection, data: Uint8Array, report: DeliveryReport): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (invocationExpired()) return;
      try {
        await this.options.client.send(
          new PostToConnectionCommand({ ConnectionId: connection.connectionId, Data: data }),
        );
        report.delivered++;
        return;
      } catch (error) {
        if (isGone(error)) {
          await this.options.onGone(connection);
          report.pruned++;
          return;
        }
        if (!isRetryable(error) || attempt >= this.maxAttempts) {
          report.failed++;
          return;
        }
        report.retries++;
        // Full jitter: spread retries so throttled senders do not retry in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * this.baseDelayMs * 2 ** attempt));
      }
    }
  }
}
