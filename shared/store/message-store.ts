/**
 * Messages, their per-conversation seq and send idempotency in DynamoDB. A send is three single-item writes,
 * none a transaction: the seq (an atomic counter on the conversation item), the intent (the idempotency record,
 * holding the whole message), then the message. See the README's "The message path".
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Message, MessageAttachment, ReplyQuote } from '../domain/model.ts';
import type {
  MessagePage,
  MessageRepository,
  SendIntent,
  SeqReservation,
  StoredSend,
} from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import { sentSeqAttribute, toConversation } from './conversation-items.ts';
import {
  type AdapterOperations,
  batchGet,
  conditionally,
  type Item,
  isConditionFailure,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

/** What this adapter issues (see `AdapterOperations`). */
export const messageStoreOperations = {
  read: ['GetItem', 'BatchGetItem', 'Query'],
  write: ['PutItem', 'UpdateItem'],
  index: false,
} as const satisfies AdapterOperations;

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
    ...(item.removedBy === 'moderator' ? { removedBy: 'moderator' as const } : {}),
    ...(item.attachments === undefined ? {} : { attachments: item.attachments as MessageAttachment[] }),
    ...(item.replyTo === undefined ? {} : { replyTo: item.replyTo as ReplyQuote }),
    ...(item.mentions === undefined ? {} : { mentions: item.mentions as string[] }),
  };
}

export function toIntent(item: Item): SendIntent {
  return {
    message: toMessage(item.message as Item),
    membersVersion: item.membersVersion as number,
    ...(item.senderConnectionId ? { senderConnectionId: item.senderConnectionId as string } : {}),
    completeBy: item.completeBy as number,
    ...(item.ttl === undefined ? {} : { expiresAt: item.ttl as number }),
  };
}

/** The conversation's last-message attribute: the message without its seq and id (see `toConversation`). */
function lastMessageDraft({ seq: _seq, messageId, ...rest }: Message) {
  return { ...rest, unique: messageId.slice(messageId.indexOf('-') + 1) };
}

type Options<K extends keyof MessageRepository> = Parameters<MessageRepository[K]>[0];

/** Who may take the next seq: a member checked against the current members, not a refused sender. */
const reservable = 'membersVersion = :version AND NOT contains(blockedSenders, :sender)';

export class MessageStore implements MessageRepository {
  constructor(private readonly table: TableContext) {}

  /**
   * One UpdateItem: concurrent senders each get the next seq with no retry, and the members-version condition
   * makes a removed member's send fail even when it raced the removal. The last-message condition stops a retry
   * that races its first try from taking a second seq, which nothing would ever be stored at.
   */
  async reserveSeq(options: Options<'reserveSeq'>): Promise<SeqReservation> {
    const { conversationId, senderId, membersVersion, draft } = options;
    const sentSeq = options.marksSenderRead ? ', #sentSeq = lastSeq + :one' : '';
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.conversation(conversationId),
          UpdateExpression: `SET lastSeq = lastSeq + :one, lastActivityAt = :at, lastMessage = :draft${sentSeq}`,
          ConditionExpression: options.sameSendAgain
            ? reservable
            : `${reservable} AND NOT (lastMessage.senderId = :sender AND lastMessage.clientMessageId = :send)`,
          ...(options.marksSenderRead
            ? { ExpressionAttributeNames: { '#sentSeq': sentSeqAttribute(senderId) } }
            : {}),
          ExpressionAttributeValues: {
            ':one': 1,
            ':at': draft.createdAt,
            ':draft': draft,
            ':version': membersVersion,
            ':sender': senderId,
            ...(options.sameSendAgain ? {} : { ':send': draft.clientMessageId }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const conversation = toConversation(answer.Attributes ?? {});
      return { outcome: 'reserved', seq: conversation.lastSeq, conversation };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Rare: read why, rather than ask every send to return the old item.
      const now = await this.table.client.send(
        new GetCommand({
          TableName: this.table.tableName,
          Key: keys.conversation(conversationId),
          ConsistentRead: true,
        }),
      );
      if (!now.Item) return { outcome: 'gone' };
      if (now.Item.membersVersion !== membersVersion) return { outcome: 'membership-changed' };
      const last = now.Item.lastMessage as { senderId?: string; clientMessageId?: string } | undefined;
      const racing = last?.senderId === senderId && last.clientMessageId === draft.clientMessageId;
      return { outcome: racing && !options.sameSendAgain ? 'racing' : 'blocked' };
    }
  }

  async recordIntent(intent: SendIntent): Promise<'recorded' | 'duplicate'> {
    const { message } = intent;
    const recorded = await conditionally(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.messageIdempotency(message.conversationId, message.senderId, message.clientMessageId),
            entity: entityTypes.messageIdempotency,
            seq: message.seq,
            message,
            membersVersion: intent.membersVersion,
            senderConnectionId: intent.senderConnectionId,
            completeBy: intent.completeBy,
            ...(intent.expiresAt === undefined ? {} : { ttl: intent.expiresAt }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return recorded ? 'recorded' : 'duplicate';
  }

  async findIntent(options: Options<'findIntent'>): Promise<SendIntent | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.messageIdempotency(options.conversationId, options.senderId, options.clientMessageId),
        ConsistentRead: options.consistent,
      }),
    );
    return answer.Item?.message ? toIntent(answer.Item) : undefined;
  }

  async store(send: StoredSend): Promise<boolean> {
    const { message } = send;
    return conditionally(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.message(message.conversationId, message.seq),
            entity: entityTypes.message,
            ...message,
            membersVersion: send.membersVersion,
            senderConnectionId: send.senderConnectionId,
            delivery: send.delivery,
            ...(send.moveInbox ? { moveInbox: true } : {}),
            ...(send.expiresAt === undefined ? {} : { ttl: send.expiresAt }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  moveInboxMark({ conversationId, from, to }: Options<'moveInboxMark'>): Promise<boolean> {
    return conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.conversation(conversationId),
          UpdateExpression: 'SET inboxIndexedAt = :to',
          ConditionExpression: 'inboxIndexedAt = :from OR attribute_not_exists(inboxIndexedAt)',
          ExpressionAttributeValues: { ':from': from, ':to': to },
        }),
      ),
    );
  }

  async get({ conversationId, seq, consistent = true }: Options<'get'>): Promise<Message | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.message(conversationId, seq),
        ConsistentRead: consistent,
      }),
    );
    return answer.Item ? toMessage(answer.Item) : undefined;
  }

  /** One BatchGetItem per 100 places. */
  async getMany(places: Options<'getMany'>): Promise<Message[]> {
    const items = await batchGet(
      this.table,
      places.map(({ conversationId, seq }) => keys.message(conversationId, seq)),
    );
    return items.map(toMessage);
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
            ? 'SET body = :empty, deletedAt = :at REMOVE attachments'
            : 'SET body = :body, editedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND senderId = :author AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: isDelete
            ? { ':empty': '', ':at': change.deletedAt, ':author': authorId }
            : { ':body': change.body, ':at': change.editedAt, ':author': authorId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return await this.followedInIntent(answer.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** A moderator's removal: whoever sent it, unless it is deleted already; answers the removed message. */
  async remove({ conversationId, seq, removedAt }: Options<'remove'>): Promise<Message | undefined> {
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.message(conversationId, seq),
          UpdateExpression: 'SET body = :empty, deletedAt = :at, removedBy = :moderator REMOVE attachments',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: { ':empty': '', ':at': removedAt, ':moderator': 'moderator' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return await this.followedInIntent(answer.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private async followedInIntent(attributes: Item | undefined): Promise<Message | undefined> {
    if (!attributes) return undefined;
    const updated = toMessage(attributes);
    await this.followInIntent(updated);
    return updated;
  }

  /** The intent keeps a copy of the message: an edit or delete must not leave the old text there. */
  private async followInIntent(message: Message): Promise<void> {
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.messageIdempotency(message.conversationId, message.senderId, message.clientMessageId),
          UpdateExpression: 'SET message = :message',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':message': message },
        }),
      ),
    );
  }

  /**
   * One read to find the attachment's place in the message, then an update of that entry alone, conditional on
   * it still being there (not deleted); nothing is written when it shows that preview already (a retry).
   */
  async showPreview(options: Options<'showPreview'>): Promise<'shown' | 'not-stored' | 'deleted'> {
    const { conversationId, seq, attachmentId, preview } = options;
    const message = await this.get({ conversationId, seq });
    if (!message) return 'not-stored';
    const index = message.attachments?.findIndex((entry) => entry.attachmentId === attachmentId) ?? -1;
    const entry = message.attachments?.[index];
    if (message.deletedAt || !entry) return 'deleted';
    if (entry.hasThumbnail && entry.width === preview.width && entry.height === preview.height)
      return 'shown';
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.message(conversationId, seq),
          UpdateExpression: `SET attachments[${index}].hasThumbnail = :yes, attachments[${index}].width = :width, attachments[${index}].height = :height`,
          ConditionExpression: `attribute_not_exists(deletedAt) AND attachments[${index}].attachmentId = :id`,
          ExpressionAttributeValues: {
            ':yes': true,
            ':width': preview.width,
            ':height': preview.height,
            ':id': attachmentId,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      await this.followedInIntent(answer.Attributes);
      return 'shown';
    } catch (error) {
      if (isConditionFailure(error)) return 'deleted';
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
          UpdateExpression: 'SET lastMessage = :draft',
          ConditionExpression: 'lastSeq = :seq',
          ExpressionAttributeValues: { ':draft': lastMessageDraft(message), ':seq': message.seq },
        }),
      ),
    );
  }
}
