/** Messages, their per-conversation sequence and send idempotency in DynamoDB. */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from '../domain/model.ts';
import type { AppendInput, AppendOutcome, MessagePage, MessageRepository } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import {
  cancellationCodes,
  conditionally,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

export function toMessage(item: Item): Message {
  return {
    conversationId: item.conversationId as string,
    messageId: item.messageId as string,
    seq: item.seq as number,
    senderId: item.senderId as string,
    body: item.body as string,
    clientMessageId: item.clientMessageId as string,
    createdAt: item.createdAt as string,
    ...(item.editedAt === undefined ? {} : { editedAt: item.editedAt as string }),
    ...(item.deletedAt === undefined ? {} : { deletedAt: item.deletedAt as string }),
  };
}

type Options<K extends keyof MessageRepository> = Parameters<MessageRepository[K]>[0];

export class MessageStore implements MessageRepository {
  constructor(private readonly table: TableContext) {}

  /**
   * Stores a message at `expectedLastSeq + 1` in one transaction: the conversation's seq and last message,
   * the message, its idempotency record, and the sender's read position (its own message is read). The
   * conditions make concurrent senders and concurrent retries safe: exactly one of them wins each seq.
   */
  async append(input: AppendInput): Promise<AppendOutcome> {
    const { message, expectedLastSeq, expectedMembersVersion } = input;
    const { conversationId, senderId, seq } = message;
    const ttl = input.expiresAt === undefined ? {} : { ttl: input.expiresAt };
    const { tableName } = this.table;
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.messageIdempotency(conversationId, senderId, message.clientMessageId),
                  entity: entityTypes.messageIdempotency,
                  seq,
                  ...ttl,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: keys.conversation(conversationId),
                UpdateExpression: `SET lastSeq = :seq, lastActivityAt = :at, lastMessage = :message${input.moveInbox ? ', inboxIndexedAt = :at' : ''}`,
                ConditionExpression: 'lastSeq = :expectedSeq AND membersVersion = :expectedVersion',
                ExpressionAttributeValues: {
                  ':seq': seq,
                  ':at': message.createdAt,
                  ':message': message,
                  ':expectedSeq': expectedLastSeq,
                  ':expectedVersion': expectedMembersVersion,
                },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.message(conversationId, seq),
                  entity: entityTypes.message,
                  ...message,
                  membersVersion: expectedMembersVersion,
                  senderConnectionId: input.senderConnectionId,
                  ...(input.moveInbox ? { moveInbox: true } : {}),
                  ...ttl,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: keys.member(conversationId, senderId),
                UpdateExpression: 'SET lastReadSeq = :seq',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':seq': seq },
              },
            },
          ],
        }),
      );
      return { outcome: 'stored' };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed') return { outcome: 'duplicate' };
      if (codes[3] === 'ConditionalCheckFailed') return { outcome: 'membership-changed' };
      if (codes[1] === 'ConditionalCheckFailed' || codes[2] === 'ConditionalCheckFailed')
        return { outcome: 'seq-taken' };
      // TransactionConflict: another writer touched the same items at the same moment; try again like seq-taken.
      if (codes.includes('TransactionConflict')) return { outcome: 'seq-taken' };
      throw error;
    }
  }

  /** The message an earlier send with this `clientMessageId` stored, if any. */
  async findBySendKey({
    conversationId,
    senderId,
    clientMessageId,
  }: Options<'findBySendKey'>): Promise<Message | undefined> {
    const record = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.messageIdempotency(conversationId, senderId, clientMessageId),
        ConsistentRead: true,
      }),
    );
    const seq = record.Item?.seq as number | undefined;
    return seq === undefined ? undefined : this.get({ conversationId, seq });
  }

  async get({ conversationId, seq }: Options<'get'>): Promise<Message | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.message(conversationId, seq),
        ConsistentRead: true,
      }),
    );
    return answer.Item ? toMessage(answer.Item) : undefined;
  }

  /** A page of history: newest first before a seq (or from the end), oldest first after a seq. */
  async page(options: Options<'page'>): Promise<MessagePage> {
    const { conversationId } = options;
    const { pk } = keys.conversation(conversationId);
    const ascending = options.after !== undefined;
    const range =
      options.after !== undefined
        ? {
            condition: 'sk BETWEEN :from AND :end',
            values: {
              ':from': keys.message(conversationId, options.after + 1).sk,
              ':end': `${keys.messagePrefix}~`,
            },
          }
        : options.before !== undefined
          ? {
              condition: 'sk BETWEEN :start AND :to',
              values: {
                ':start': keys.messagePrefix,
                ':to': keys.message(conversationId, options.before - 1).sk,
              },
            }
          : { condition: 'begins_with(sk, :start)', values: { ':start': keys.messagePrefix } };
    const answer = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: `pk = :pk AND ${range.condition}`,
        ExpressionAttributeValues: { ':pk': pk, ...range.values },
        ScanIndexForward: ascending,
        // Strongly consistent: a client catching up right after a reconnect must see the newest messages.
        ConsistentRead: true,
        // One extra item tells whether there is more without a second call.
        Limit: options.limit + 1,
      }),
    );
    const items = (answer.Items ?? []).map(toMessage);
    return { items: items.slice(0, options.limit), hasMore: items.length > options.limit };
  }

  /** Applies an edit or a soft delete by the author; answers the updated message or undefined if not theirs. */
  async update({ conversationId, seq, authorId, change }: Options<'update'>): Promise<Message | undefined> {
    const isDelete = 'deletedAt' in change;
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.message(conversationId, seq),
          UpdateExpression: isDelete
            ? 'SET body = :empty, deletedAt = :at'
            : 'SET body = :body, editedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND senderId = :author AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: isDelete
            ? { ':empty': '', ':at': change.deletedAt, ':author': authorId }
            : { ':body': change.body, ':at': change.editedAt, ':author': authorId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return answer.Attributes ? toMessage(answer.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Keeps the conversation's last-message snapshot in step with an edit or delete of that message. */
  async refreshLastMessage(message: Message): Promise<void> {
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.conversation(message.conversationId),
          UpdateExpression: 'SET lastMessage = :message',
          ConditionExpression: 'lastSeq = :seq',
          ExpressionAttributeValues: { ':message': message, ':seq': message.seq },
        }),
      ),
    );
  }
}
