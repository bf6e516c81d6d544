/**
 * Mentions in DynamoDB: the seqs of the messages that mention a member, as a number set on the member item
 * (`mentionSeqs`), which the inbox index projects, so an inbox page counts unread mentions without another read.
 * Adding a seq to a set twice changes nothing, so the stream's redelivery cannot count a mention twice.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { forEachBounded } from '../async.ts';
import type { MentionRepository } from '../domain/rich-ports.ts';
import {
  type AdapterOperations,
  conditionally,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const mentionStoreOperations = {
  read: [],
  write: ['UpdateItem'],
  index: false,
} as const satisfies AdapterOperations;

type Options<K extends keyof MentionRepository> = Parameters<MentionRepository[K]>[0];

/** Members written at once; a message mentions at most `limits.maxMentionsPerMessage`. */
const membersInParallel = 8;

export const mentionSeqsOf = (item: Item): number[] =>
  item.mentionSeqs instanceof Set ? [...(item.mentionSeqs as Set<number>)].map(Number) : [];

export class MentionStore implements MentionRepository {
  constructor(private readonly table: TableContext) {}

  async mark({ conversationId, seq, userIds }: Options<'mark'>): Promise<void> {
    await forEachBounded(userIds, membersInParallel, async (userId) => {
      const Key = keys.member(conversationId, userId);
      let item: Item;
      try {
        const answer = await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key,
            UpdateExpression: 'ADD mentionSeqs :seq',
            // A member who left meanwhile gets no member item back.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':seq': new Set([seq]) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        item = answer.Attributes ?? {};
      } catch (error) {
        if (isConditionFailure(error)) return;
        throw error;
      }
      // Mentions the member has read no longer count: dropped here, so the set holds the unread ones and this one.
      const read = mentionSeqsOf(item).filter((mentioned) => mentioned <= (item.lastReadSeq as number));
      if (read.length > 0) await this.forget(Key, read);
    });
  }

  async unmark({ conversationId, seq, userIds }: Options<'unmark'>): Promise<void> {
    await forEachBounded(userIds, membersInParallel, (userId) =>
      this.forget(keys.member(conversationId, userId), [seq]),
    );
  }

  private async forget(Key: { pk: string; sk: string }, seqs: number[]): Promise<void> {
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key,
          UpdateExpression: 'DELETE mentionSeqs :seqs',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':seqs': new Set(seqs) },
        }),
      ),
    );
  }
}
