/**
 * The shared member lists never fail a use case: with Valkey refusing every command, the directory answers from
 * DynamoDB (here a fake store), as it does without a shared cache.
 */
import { describe, expect, it } from 'vitest';
import { MemberDirectory } from '../../../shared/domain/access.ts';
import type { Member } from '../../../shared/domain/model.ts';
import type { HotStateClient } from '../../../shared/hot-state/valkey-client.ts';
import { ValkeyMemberLists } from '../../../shared/hot-state/valkey-member-lists.ts';

const members: Member[] = [
  { userId: 'ada', role: 'admin', joinedAt: '2026-12-01T10:00:00.000Z', lastReadSeq: 0 },
];
const refused = async () => {
  throw new Error('Connection is closed.');
};
const unreachable = { get: refused, set: refused, del: refused } as unknown as HotStateClient;

describe('shared member lists with Valkey unreachable', () => {
  it('answers the members from the table, and forgetting them does not fail', async () => {
    let reads = 0;
    const store = {
      listMembers: async () => {
        reads++;
        return members;
      },
    };
    const directory = new MemberDirectory(
      store,
      undefined,
      undefined,
      undefined,
      new ValkeyMemberLists(unreachable),
    );

    expect(await directory.members('c1', 3)).toEqual(members);
    await expect(directory.forget('c1')).resolves.toBeUndefined();
    expect(reads).toBe(1);
  });
});
