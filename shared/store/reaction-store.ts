/**
 * Reactions in DynamoDB (README "Rich messages"): one item per (message, user, emoji), written only if absent,
 * so a repeat is a no-op; and one summary item per message (`REACTIONS#seq`), never the message item, changed
 * only by atomic additions: `ADD` to the emoji's count and to the set of emoji, and an append to its recent
 * users. Concurrent reactors' writes to the summary are serialized by DynamoDB with no condition on what another
 * wrote, so none is refused or retried and each is counted once. The recent users are best effort: trimmed to
 * the newest after the append, and a removed reactor taken out by position.
 */
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { emojiKey } from '../domain/emoji.ts';
import type { ReactionCount } from '../domain/model.ts';
import type { Reaction, ReactionRepository } from '../domain/rich-ports.ts';
import { entityTypes } from '../shape/table.ts';
import {
  type AdapterOperations,
  conditionally,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const reactionStoreOperations = {
  read: ['Query'],
  write: ['PutItem', 'DeleteItem', 'UpdateItem'],
  index: false,
} as const satisfies AdapterOperations;

type Options<K extends keyof ReactionRepository> = Parameters<ReactionRepository[K]>[0];

/** The summary's attributes of one emoji: its count and its recent users (oldest first). */
const countOf = (emoji: string) => `n:${emojiKey(emoji)}`;
const usersOf = (emoji: string) => `u:${emojiKey(emoji)}`;

/** A summary item as the reactions clients see: emoji with a positive count, most used first. */
function toReactions(item: Item, maxRecent: number): ReactionCount[] {
  const emojis = item.emojis instanceof Set ? [...(item.emojis as Set<string>)] : [];
  return emojis
    .map((emoji) => ({
      emoji,
      count: (item[countOf(emoji)] as number | undefined) ?? 0,
      userIds: ((item[usersOf(emoji)] as string[] | undefined) ?? []).slice(-maxRecent).reverse(),
    }))
    .filter((reaction) => reaction.count > 0)
    .sort((a, b) => b.count - a.count || a.emoji.localeCompare(b.emoji));
}

export class ReactionStore implements ReactionRepository {
  constructor(private readonly table: TableContext) {}

  put({ conversationId, seq, emoji, userId, at, expiresAt }: Options<'put'>): Promise<boolean> {
    return conditionally(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.reaction(conversationId, seq, userId, emojiKey(emoji)),
            entity: entityTypes.reaction,
            emoji,
            userId,
            at,
            ...(expiresAt === undefined ? {} : { ttl: expiresAt }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async delete({ conversationId, seq, emoji, userId }: Reaction): Promise<boolean> {
    const answer = await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.reaction(conversationId, seq, userId, emojiKey(emoji)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return answer.Attributes !== undefined;
  }

  /** One Query that counts the user's items of the message (they sort together), reading keys only. */
  async countOfUser({ conversationId, seq, userId }: Options<'countOfUser'>): Promise<number> {
    const answer = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.conversation(conversationId).pk,
          ':prefix': keys.reactionsOfUser(seq, userId),
        },
        Select: 'COUNT',
      }),
    );
    return answer.Count ?? 0;
  }

  async count(options: Options<'count'>): Promise<ReactionCount[] | 'emoji-limit'> {
    const { conversationId, seq, emoji, userId, delta, maxEmoji, maxRecent, expiresAt } = options;
    const Key = keys.reactionSummary(conversationId, seq);
    const counted = { '#count': countOf(emoji) };
    const update =
      delta === 1
        ? {
            // The emoji joins the set (a no-op when it is there) and its user the recent ones. Only a new emoji
            // can meet the limit, and DynamoDB serializes the writes, so the comparison is exact.
            UpdateExpression: `ADD #count :delta, emojis :emoji SET entity = :entity, seq = :seq, #users = list_append(if_not_exists(#users, :none), :user)${expiresAt === undefined ? '' : ', #ttl = :ttl'}`,
            ConditionExpression:
              'attribute_not_exists(emojis) OR contains(emojis, :one) OR size(emojis) < :max',
            ExpressionAttributeNames: {
              ...counted,
              '#users': usersOf(emoji),
              ...(expiresAt === undefined ? {} : { '#ttl': 'ttl' }),
            },
            ExpressionAttributeValues: {
              ':delta': 1,
              ':entity': entityTypes.reactionSummary,
              ':seq': seq,
              ':emoji': new Set([emoji]),
              ':one': emoji,
              ':max': maxEmoji,
              ':none': [],
              ':user': [userId],
              ...(expiresAt === undefined ? {} : { ':ttl': expiresAt }),
            },
          }
        : {
            UpdateExpression: 'ADD #count :delta',
            ExpressionAttributeNames: counted,
            ExpressionAttributeValues: { ':delta': -1 },
          };
    let item: Item;
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({ TableName: this.table.tableName, Key, ...update, ReturnValues: 'ALL_NEW' }),
      );
      item = answer.Attributes ?? {};
    } catch (error) {
      if (delta === 1 && isConditionFailure(error)) return 'emoji-limit';
      throw error;
    }
    await this.tidyRecentUsers(Key, { emoji, userId, delta, item, maxRecent });
    // A removed reactor is no recent one, whether or not the tidying above won.
    const users = (item[usersOf(emoji)] as string[] | undefined) ?? [];
    const shown = delta === 1 ? users : users.filter((id) => id !== userId);
    return toReactions({ ...item, [usersOf(emoji)]: shown }, maxRecent);
  }

  /**
   * Best effort, after the count: drops the oldest recent users past `maxRecent`, or the removed reactor, by
   * position, only if the list is still as read (otherwise a later write tidies it); the answer already shows
   * the newest `maxRecent`.
   */
  private async tidyRecentUsers(
    Key: { pk: string; sk: string },
    {
      emoji,
      userId,
      delta,
      item,
      maxRecent,
    }: Pick<Reaction, 'emoji' | 'userId'> & { delta: 1 | -1; item: Item; maxRecent: number },
  ): Promise<void> {
    const users = (item[usersOf(emoji)] as string[] | undefined) ?? [];
    // Trimmed once twice as long as shown, not on every append: a burst of reactors makes few extra writes.
    const positions =
      delta === 1
        ? users.length <= 2 * maxRecent
          ? []
          : users.slice(0, users.length - maxRecent).map((_, index) => index)
        : users.flatMap((id, index) => (id === userId ? [index] : []));
    if (positions.length === 0) return;
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key,
          UpdateExpression: `REMOVE ${positions.map((index) => `#users[${index}]`).join(', ')}`,
          ConditionExpression: 'size(#users) = :length',
          ExpressionAttributeNames: { '#users': usersOf(emoji) },
          ExpressionAttributeValues: { ':length': users.length },
        }),
      ),
    );
  }

  /** One Query of the summaries of a page's seq range: only messages with reactions have one. */
  async summaries({ conversationId, fromSeq, toSeq, maxRecent }: Options<'summaries'>) {
    const answer = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.conversation(conversationId).pk,
          ':from': keys.reactionSummary(conversationId, fromSeq).sk,
          ':to': keys.reactionSummary(conversationId, toSeq).sk,
        },
      }),
    );
    const bySeq = new Map<number, ReactionCount[]>();
    for (const item of answer.Items ?? []) {
      const reactions = toReactions(item, maxRecent);
      if (reactions.length > 0) bySeq.set(item.seq as number, reactions);
    }
    return bySeq;
  }
}
