/** Delivers events per user: users → their live connections (one batched read) → `@connections`. */
import type { ServerEvent } from '../domain/model.ts';
import type { LiveConnection, PresenceStore, UserSessions } from '../store/presence-store.ts';
import type { ConnectionSender, DeliveryReport } from './connection-sender.ts';

export interface NotifyOptions {
  /** A socket that must not get this event (the sender's, which got an ack instead). */
  exceptConnectionId?: string;
}

export class Notifier {
  constructor(
    private readonly presence: PresenceStore,
    private readonly sender: ConnectionSender,
    private readonly clock: () => number = Date.now,
  ) {}

  async sessionsOf(userIds: string[]): Promise<Map<string, UserSessions>> {
    return userIds.length === 0 ? new Map() : this.presence.getMany(userIds, this.clock());
  }

  async toUsers(userIds: string[], event: ServerEvent, options: NotifyOptions = {}): Promise<DeliveryReport> {
    const sessions = await this.sessionsOf(userIds);
    return this.toConnections(liveConnections(sessions, options.exceptConnectionId), event);
  }

  toConnections(connections: LiveConnection[], event: ServerEvent): Promise<DeliveryReport> {
    return this.sender.send(connections, event);
  }

  /** A direct answer to the socket that asked (ack, pong, error). */
  async toConnection(userId: string, connectionId: string, event: ServerEvent): Promise<void> {
    await this.sender.send([{ userId, connectionId, expiresAtMs: Number.POSITIVE_INFINITY }], event);
  }
}

export function liveConnections(
  sessions: Map<string, UserSessions>,
  exceptConnectionId?: string,
): LiveConnection[] {
  return [...sessions.values()]
    .flatMap((s) => s.connections)
    .filter((c) => c.connectionId !== exceptConnectionId);
}
