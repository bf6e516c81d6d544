/**
 * Member lists shared by every container in Valkey: one key per conversation holding the list with the members
 * version it was read at, kept for a minute (as long as a container keeps its own copy). A list is used only for
 * the version it was read at, and every membership change bumps the version in its transaction, so an entry is
 * never stale for the version asked; the change also deletes the key, so the next reader refreshes it at once.
 *
 * A cache never fails a use case: a Valkey error reads as a miss (the member list comes from DynamoDB) and a lost
 * write or delete is only logged (the version check still holds).
 */
import type { Member } from '../domain/model.ts';
import type { SharedMemberLists } from '../domain/ports.ts';
import { logger } from '../observability.ts';
import type { HotStateClient } from './valkey-client.ts';

/** Ids never contain `#` (limits.idPattern), so the key is unambiguous. */
const membersKey = (conversationId: string) => `members#${conversationId}`;
const entryTtlMs = 60_000;

interface Entry {
  membersVersion: number;
  members: Member[];
}

export class ValkeyMemberLists implements SharedMemberLists {
  constructor(private readonly client: HotStateClient) {}

  async get(conversationId: string, membersVersion: number): Promise<Member[] | undefined> {
    const held = await this.quietly('read', () => this.client.get(membersKey(conversationId)));
    if (!held) return undefined;
    const entry = JSON.parse(held) as Entry;
    return entry.membersVersion === membersVersion ? entry.members : undefined;
  }

  async set(conversationId: string, membersVersion: number, members: Member[]): Promise<void> {
    const entry: Entry = { membersVersion, members };
    await this.quietly('write', () =>
      this.client.set(membersKey(conversationId), JSON.stringify(entry), 'PX', entryTtlMs),
    );
  }

  async forget(conversationId: string): Promise<void> {
    await this.quietly('delete', () => this.client.del(membersKey(conversationId)));
  }

  private async quietly<T>(what: string, command: () => Promise<T>): Promise<T | undefined> {
    try {
      return await command();
    } catch (error) {
      logger.warn(`The member-list cache failed a ${what} (DynamoDB answers instead)`, {
        error: String(error),
      });
      return undefined;
    }
  }
}
