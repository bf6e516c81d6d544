/**
 * The member directory's contract, the same on every hot-state backend: each container answers the members of
 * the version it is asked for, so after a membership change nobody removed is listed and everybody added is. On
 * Valkey the containers share their lists, and fewer of them read DynamoDB (counted here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberDirectory } from '../../shared/domain/access.ts';
import type { StoredConversation } from '../../shared/domain/model.ts';
import { ConversationStore } from '../../shared/store/conversation-store.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { createTestTable } from '../support/dynamo.ts';
import { type HotState, hotStateBackends } from '../support/hot-state.ts';

const at = '2026-12-01T10:00:00.000Z';
const fresh = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

describe.each(hotStateBackends)('member lists on $name', ({ name, connect }) => {
  let backend: HotState;
  let table: TableContext;
  let store: ConversationStore;
  /** The member-list reads DynamoDB answered. */
  let reads = 0;
  const counted = {
    listMembers: (id: string) => {
      reads++;
      return store.listMembers(id);
    },
  };
  beforeAll(async () => {
    [backend, table] = await Promise.all([connect(), createTestTable()]);
    store = new ConversationStore(table);
  });
  afterAll(() => {
    backend.close();
    table.client.destroy();
  });

  async function group(...userIds: string[]): Promise<string> {
    const conversationId = fresh('group');
    await store.create({
      conversationId,
      type: 'group',
      name: 'g',
      createdBy: userIds[0] ?? '',
      createdAt: at,
      members: userIds.map((userId, i) => ({ userId, role: i === 0 ? 'admin' : 'member' })),
    });
    return conversationId;
  }

  const current = async (conversationId: string) => (await store.get(conversationId)) as StoredConversation;
  const listed = async (directory: MemberDirectory, conversationId: string) => {
    const { membersVersion } = await current(conversationId);
    return (await directory.members(conversationId, membersVersion)).map((m) => m.userId).sort();
  };

  it('lists nobody removed and everybody added, in every container, once the change is made', async () => {
    const [ada, bob, cy, dee] = ['ada', 'bob', 'cy', 'dee'].map(fresh) as [string, string, string, string];
    const conversationId = await group(ada, bob, cy);
    const containers = [backend.memberDirectory(counted), backend.memberDirectory(counted)];
    for (const directory of containers) expect(await listed(directory, conversationId)).toContain(bob);

    await store.removeMember({ conversation: await current(conversationId), userId: bob });
    await containers[0]?.forget(conversationId);
    for (const directory of containers)
      expect(await listed(directory, conversationId)).toEqual([ada, cy].sort());

    await store.addMembers({ conversation: await current(conversationId), userIds: [dee], now: at });
    await containers[1]?.forget(conversationId);
    for (const directory of containers) {
      expect(await listed(directory, conversationId)).toEqual([ada, cy, dee].sort());
    }
  });

  it('never answers a list for a newer version than it was read at, even when the change forgot to say so', async () => {
    const [ada, bob] = [fresh('ada'), fresh('bob')];
    const conversationId = await group(ada, bob);
    const directory = backend.memberDirectory(counted);
    await listed(directory, conversationId);

    await store.removeMember({ conversation: await current(conversationId), userId: bob });

    expect(await listed(backend.memberDirectory(counted), conversationId)).toEqual([ada]);
    expect(await listed(directory, conversationId)).toEqual([ada]);
  });

  it('reads a version from DynamoDB once per container, or once for all where they share it', async () => {
    const conversationId = await group(fresh('ada'), fresh('bob'));
    const containers = [1, 2, 3].map(() => backend.memberDirectory(counted));
    await listed(containers[0] as MemberDirectory, conversationId);
    const before = reads;

    for (const directory of [...containers, ...containers]) await listed(directory, conversationId);

    expect(reads - before).toBe(name === 'Valkey' ? 0 : 2);
  });
});
