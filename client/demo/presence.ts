import type { ChatClient } from '@serverless-chat/client';
import { create } from './dom.ts';

/**
 * Who is online as far as the demo knows. `presence` events only follow changes, so whoever is already online
 * has to be asked once (`GET /presence`): everyone at sign-in and after a reconnect, newcomers when they appear.
 */
export class PresenceBoard {
  private readonly statuses = new Map<string, 'online' | 'offline'>();

  constructor(
    private readonly client: ChatClient,
    private readonly onChange: () => void,
  ) {}

  /** A `presence` event. */
  update(userId: string, status: 'online' | 'offline'): void {
    this.statuses.set(userId, status);
    this.onChange();
  }

  /** Asks the server about `userIds`, a hundred at a time. */
  async refresh(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    for (let start = 0; start < userIds.length; start += 100)
      for (const user of await this.client.getPresence(userIds.slice(start, start + 100)))
        this.statuses.set(user.userId, user.status);
    this.onChange();
  }

  /** A conversation or member that appears brings its presence: the users not known yet are asked about. */
  learn(userIds: string[]): void {
    const unknown = userIds.filter((userId) => !this.statuses.has(userId));
    if (unknown.length > 0) void this.refresh(unknown);
  }

  /** The dot shown next to a user: green when online. */
  dot(userId: string | undefined): HTMLSpanElement {
    const online = userId !== undefined && this.statuses.get(userId) === 'online';
    const dot = create('span', online ? 'presence online' : 'presence');
    dot.title = online ? `${userId} is online` : 'offline';
    return dot;
  }
}
