/** In-memory fakes of the token-expiry ports, for use cases tested without DynamoDB or `@connections`. */
import type {
  ConnectionCloser,
  ConnectionExpiryRepository,
  ExpiringConnection,
} from '../../shared/domain/ports.ts';

export class InMemoryConnectionExpiry implements ConnectionExpiryRepository {
  readonly scheduled = new Map<string, ExpiringConnection>();

  async schedule(connection: ExpiringConnection): Promise<void> {
    this.scheduled.set(connection.connectionId, connection);
  }

  async forget({ connectionId }: Omit<ExpiringConnection, 'userId'>): Promise<void> {
    this.scheduled.delete(connectionId);
  }

  async expiredBetween({ fromMs, toMs }: { fromMs: number; toMs: number }): Promise<ExpiringConnection[]> {
    return [...this.scheduled.values()].filter(
      (c) => c.tokenExpiresAtMs >= fromMs && c.tokenExpiresAtMs < toMs,
    );
  }
}

/** Records the connections it was asked to close. */
export class RecordingCloser implements ConnectionCloser {
  readonly closed: string[] = [];

  async close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
  }
}
