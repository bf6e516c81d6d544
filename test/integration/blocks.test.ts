/**
 * The block adapter against DynamoDB Local: the `blockedSenders` contract with the send path, the per-user limit
 * under concurrent blocks, and a block racing the creation of the pair's direct conversation.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlockStore } from '../../shared/store/block-store.ts';
import { ConversationStore } from '../../shared/store/conversation-store.ts';
import type { TableContext } from '../../shared/store/dynamo.ts';
import { keys } from '../../shared/store/keys.ts';
import { createTestTable } from '../support/dynamo.ts';

let table: TableContext;
let blocks: BlockStore;
let conversations: ConversationStore;
beforeAll(async () => {
  table = await createTestTable();
  blocks = new BlockStore(table);
  conversations = new ConversationStore(table);
});

const at = '2026-12-01T10:00:00.000Z';
let ids = 0;
const fresh = (name: string) => `${name}-${++ids}`;

function createDirect(a: string, b: string) {
  return conversations.create({
    conversationId: fresh('conv'),
    type: 'direct',
    createdBy: a,
    createdAt: at,
    members: [
      { userId: a, role: 'member' },
      { userId: b, role: 'member' },
    ],
  });
}

async function blockedSenders(conversationId: string): Promise<string[]> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.conversation(conversationId),
      ConsistentRead: true,
    }),
  );
  return [...((Item?.blockedSenders as Set<string> | undefined) ?? [])].sort();
}

describe('blockedSenders on the direct conversation', () => {
  it('holds each blocked member while blocked, whichever way, and goes when nobody is', async () => {
    const [alice, bob] = [fresh('alice'), fresh('bob')];
    const created = await createDirect(alice, bob);
    if (created.outcome !== 'created') throw new Error(created.outcome);
    const { conversationId } = created;

    await blocks.block({ blockerId: alice, blockedId: bob, at, maxBlocks: 10 });
    expect(await blockedSenders(conversationId)).toEqual([bob]);
    await blocks.block({ blockerId: bob, blockedId: alice, at, maxBlocks: 10 });
    expect(await blockedSenders(conversationId)).toEqual([alice, bob].sort());
    await blocks.unblock({ blockerId: alice, blockedId: bob });
    expect(await blockedSenders(conversationId)).toEqual([alice]);
    await blocks.unblock({ blockerId: bob, blockedId: alice });
    await blocks.unblock({ blockerId: bob, blockedId: alice });
    expect(await blockedSenders(conversationId)).toEqual([]);
    expect(await blocks.relationsOf(alice)).toEqual({ blocks: new Set(), blockedBy: new Set() });
  });

  it('refuses creating the direct conversation of a blocked pair, whoever asks', async () => {
    const [alice, bob] = [fresh('alice'), fresh('bob')];
    await blocks.block({ blockerId: alice, blockedId: bob, at, maxBlocks: 10 });
    expect(await createDirect(bob, alice)).toEqual({ outcome: 'blocked' });
    expect(await createDirect(alice, bob)).toEqual({ outcome: 'blocked' });
  });

  it('a block and a creation of the pair never cross: either the creation is refused or the block marks it', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const [alice, bob] = [fresh('alice'), fresh('bob')];
        const [created] = await Promise.all([
          createDirect(bob, alice),
          blocks.block({ blockerId: alice, blockedId: bob, at, maxBlocks: 10 }),
        ]);
        if (created.outcome === 'blocked') return 'refused';
        expect(await blockedSenders(created.conversationId)).toEqual([bob]);
        return 'marked';
      }),
    );
    expect(outcomes.length).toBe(12);
  });
});

describe('the per-user limit', () => {
  it('holds under concurrent blocks; blocking again costs nothing; unblocking frees a place', async () => {
    const blocker = fresh('blocker');
    const targets = Array.from({ length: 8 }, () => fresh('target'));
    const answers = await Promise.all(
      targets.map((blockedId) => blocks.block({ blockerId: blocker, blockedId, at, maxBlocks: 3 })),
    );
    expect(answers.filter((a) => a === 'blocked')).toHaveLength(3);
    const kept = await blocks.listBlocked(blocker);
    expect(kept).toHaveLength(3);

    expect(await blocks.block({ blockerId: blocker, blockedId: kept[0] as string, at, maxBlocks: 3 })).toBe(
      'blocked',
    );
    const outside = targets.find((t) => !kept.includes(t)) as string;
    expect(await blocks.block({ blockerId: blocker, blockedId: outside, at, maxBlocks: 3 })).toBe(
      'limit-reached',
    );
    await blocks.unblock({ blockerId: blocker, blockedId: kept[0] as string });
    expect(await blocks.block({ blockerId: blocker, blockedId: outside, at, maxBlocks: 3 })).toBe('blocked');
    expect((await blocks.relationsOf(outside)).blockedBy).toEqual(new Set([blocker]));
  });
});
