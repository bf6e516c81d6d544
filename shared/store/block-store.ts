/** Blocks in DynamoDB: an item under the blocker, its mirror under the blocked user, and the blocker's count. */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { BlockRepository } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import { type AdapterOperations, cancellationCodes, queryAll, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`): each block change is one transaction. */
export const blockStoreOperations = {
  read: ['GetItem', 'Query'],
  write: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  index: false,
} as const satisfies AdapterOperations;

type Options<K extends keyof BlockRepository> = Parameters<BlockRepository[K]>[0];

/** A block races a direct conversation being created for the same pair at most this often before it wins. */
const maxPairRaces = 5;

export class BlockStore implements BlockRepository {
  constructor(private readonly table: TableContext) {}

  /**
   * One transaction: the block (must be new), its mirror, the count (must stay within `maxBlocks`), and the
   * pair's direct conversation, which gets the blocked user in `blockedSenders` (the send path refuses them),
   * or, when there is none, a check that none appeared meanwhile (a creation checks the block the same way).
   */
  async block({
    blockerId,
    blockedId,
    at,
    maxBlocks,
  }: Options<'block'>): Promise<'blocked' | 'limit-reached'> {
    const { tableName } = this.table;
    for (let attempt = 0; ; attempt++) {
      const pair = await this.directConversationOf(blockerId, blockedId);
      try {
        await this.table.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.block(blockerId, blockedId), entity: entityTypes.block, blockedId, at },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.blockedBy(blockedId, blockerId),
                    entity: entityTypes.blockedBy,
                    blockerId,
                    at,
                  },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: keys.blockCount(blockerId),
                  UpdateExpression: 'SET entity = :entity, blocks = if_not_exists(blocks, :zero) + :one',
                  ConditionExpression: 'attribute_not_exists(blocks) OR blocks < :max',
                  ExpressionAttributeValues: {
                    ':entity': entityTypes.blockCount,
                    ':zero': 0,
                    ':one': 1,
                    ':max': maxBlocks,
                  },
                },
              },
              pair.conversationId === undefined
                ? {
                    ConditionCheck: {
                      TableName: tableName,
                      Key: pair.key,
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  }
                : {
                    Update: {
                      TableName: tableName,
                      Key: keys.conversation(pair.conversationId),
                      UpdateExpression: 'ADD blockedSenders :blocked',
                      ConditionExpression: 'attribute_exists(pk)',
                      ExpressionAttributeValues: { ':blocked': new Set([blockedId]) },
                    },
                  },
            ],
          }),
        );
        return 'blocked';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        // Already blocked: the first block made every change, and a creation since was refused by it.
        if (codes[0] === 'ConditionalCheckFailed') return 'blocked';
        if (codes[2] === 'ConditionalCheckFailed') return 'limit-reached';
        // The pair's direct conversation was created meanwhile, or another write crossed: read again.
        if (attempt + 1 >= maxPairRaces) throw error;
      }
    }
  }

  /** One transaction undoing what `block` did; when there is no block, nothing changes. */
  async unblock({ blockerId, blockedId }: Options<'unblock'>): Promise<void> {
    const { tableName } = this.table;
    const pair = await this.directConversationOf(blockerId, blockedId);
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: keys.block(blockerId, blockedId),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Delete: { TableName: tableName, Key: keys.blockedBy(blockedId, blockerId) } },
            {
              Update: {
                TableName: tableName,
                Key: keys.blockCount(blockerId),
                UpdateExpression: 'SET blocks = blocks - :one',
                ConditionExpression: 'blocks > :zero',
                ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
              },
            },
            ...(pair.conversationId === undefined
              ? []
              : [
                  {
                    Update: {
                      TableName: tableName,
                      Key: keys.conversation(pair.conversationId),
                      UpdateExpression: 'DELETE blockedSenders :blocked',
                      ConditionExpression: 'attribute_exists(pk)',
                      ExpressionAttributeValues: { ':blocked': new Set([blockedId]) },
                    },
                  },
                ]),
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return;
      throw error;
    }
  }

  async listBlocked(blockerId: string): Promise<string[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.block(blockerId, '').pk, ':prefix': keys.blockPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => item.blockedId as string);
  }

  /** One Query of the user's partition reads both directions (`BLOCK#…` and `BLOCKED-BY#…`). */
  async relationsOf(userId: string): Promise<{ blocks: Set<string>; blockedBy: Set<string> }> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.block(userId, '').pk, ':prefix': keys.blockRelationPrefix },
      ConsistentRead: true,
    });
    const blocks = new Set<string>();
    const blockedBy = new Set<string>();
    for (const item of items) {
      if (item.entity === entityTypes.block) blocks.add(item.blockedId as string);
      if (item.entity === entityTypes.blockedBy) blockedBy.add(item.blockerId as string);
    }
    return { blocks, blockedBy };
  }

  private async directConversationOf(userA: string, userB: string) {
    const key = keys.directPair(userA, userB);
    const answer = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }),
    );
    return { key, conversationId: answer.Item?.conversationId as string | undefined };
  }
}
