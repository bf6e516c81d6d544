/** Delivers events per user: users → their live connections (one batched read) → `@connections`. */
import type { ServerEvent } from '../domain/model.ts';
import {
  connectionsOf,
  type DeliveryReport,
  type LiveConnection,
  type Notifier,
  type SessionRepository,
  type UserSessions,
} from '../domain/ports.ts';
import type { ConnectionSender } from './connection-sender.ts';

export class ConnectionNotifier implements Notifier {
  constructor(
    private readonly sessions: Pick<SessionRepository, 'getMany'>,
    private readonly sender: ConnectionSender,
    private readonly clock: () => number = Date.now,
  ) {}

  async sessionsOf(userIds: string[]): Promise<Map<string, UserSessions>> {
    return userIds.length === 0 ? new Map() : this.sessions.getMany(userIds, this.clock());
  }

  async toUsers(userIds: string[], event: ServerEvent): Promise<DeliveryReport> {
    return this.toConnections(connectionsOf(await this.sessionsOf(userIds)), event);
  }

  toConnections(connections: LiveConnection[], event: ServerEvent): Promise<DeliveryReport> {
    return this.sender.send(connections, event);
  }

  async toConnection({ userId, connectionId }: { userId: string; connectionId: string }, event: ServerEvent) {
    await this.sender.send([{ userId, connectionId, expiresAtMs: Number.POSITIVE_INFINITY }], event);
  }
}
