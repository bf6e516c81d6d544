/** Conversations and their members in DynamoDB. */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Member, MemberRole, StoredConversation } from '../domain/model.ts';
import type {
  ConversationRepository,
  InboxPage,
  Membership,
  MembershipOutcome,
  NewConversation,
} from '../domain/ports.ts';
import { entityTypes, inboxIndexName } from '../shape/table.ts';
import {
  conversationItem,
  decodeCursor,
  encodeCursor,
  memberItem,
  toConversation,
  toMember,
  toMembership,
} from './conversation-items.ts';
import { batchGet, cancellationCodes, conditionally, queryAll, type TableContext } from './dynamo.ts';
import { keys } from './keys.ts';

type Options<K extends keyof ConversationRepository> = Parameters<ConversationRepository[K]>[0];

export class ConversationStore implements ConversationRepository {
  constructor(private readonly table: TableContext) {}

  /** Creates a conversation with its members in one transaction; a direct one also claims its user pair. */
  async create(conversation: NewConversation): Promise<{ created: boolean; conversationId: string }> {
    const { conversationId, createdAt } = conversation;
    const meta = conversationItem(conversation);
    const puts = [
      meta,
      ...conversation.members.map((m) => memberItem(conversationId, m.userId, m.role, createdAt, createdAt)),
    ].map((Item) => ({
      Put: { TableName: this.table.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    }));
    const pair =
      conversation.type === 'direct'
        ? keys.directPair(conversation.members[0]?.userId ?? '', conversation.members[1]?.userId ?? '')
        : undefined;
    const pairPut = pair
      ? [
          {
            Put: {
              TableName: this.table.tableName,
              Item: { ...pair, entity: entityTypes.directPair, conversationId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]
      : [];
    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: [...pairPut, ...puts] }));
      return { created: true, conversationId };
    } catch (error) {
      // The pair item is first: if only its condition failed, the other user (or a retry) created it already.
      if (pair && cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') {
        const existing = await this.table.client.send(
          new GetCommand({ TableName: this.table.tableName, Key: pair, ConsistentRead: true }),
        );
        return { created: false, conversationId: existing.Item?.conversationId as string };
      }
      throw error;
    }
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.conversation(conversationId),
        ConsistentRead: true,
      }),
    );
    return answer.Item ? toConversation(answer.Item) : undefined;
  }

  async getMany(conversationIds: string[]): Promise<Map<string, StoredConversation>> {
    const items = await batchGet(this.table, conversationIds.map(keys.conversation));
    return new Map(items.map((item) => [item.conversationId as string, toConversation(item)]));
  }

  async listMembers(conversationId: string): Promise<Member[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': keys.conversation(conversationId).pk,
        ':prefix': keys.memberPrefix,
      },
      ConsistentRead: true,
    });
    return items.map(toMember);
  }

  async getMember({ conversationId, userId }: Options<'getMember'>): Promise<Member | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.member(conversationId, userId),
        ConsistentRead: true,
      }),
    );
    return answer.Item ? toMember(answer.Item) : undefined;
  }

  /** Adds members and bumps the members version, unless the membership changed since it was read. */
  addMembers({ conversation, userIds, now }: Options<'addMembers'>): Promise<MembershipOutcome> {
    const { conversationId } = conversation;
    return this.changeMembership(
      new TransactWriteCommand({
        TransactItems: [
          this.bumpMembersVersion(conversation, userIds.length),
          ...userIds.map((userId) => ({
            Put: {
              TableName: this.table.tableName,
              Item: memberItem(conversationId, userId, 'member', now, conversation.lastActivityAt),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        ],
      }),
    );
  }

  /** Removes a member and, in the same transaction, makes `successor` (when given) an admin. */
  removeMember({ conversation, userId, successor }: Options<'removeMember'>): Promise<MembershipOutcome> {
    const { conversationId } = conversation;
    return this.changeMembership(
      new TransactWriteCommand({
        TransactItems: [
          this.bumpMembersVersion(conversation, -1),
          {
            Delete: {
              TableName: this.table.tableName,
              Key: keys.member(conversationId, userId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          ...(successor === undefined
            ? []
            : [
                {
                  Update: {
                    TableName: this.table.tableName,
                    Key: keys.member(conversationId, successor),
                    UpdateExpression: 'SET #role = :admin',
                    ConditionExpression: 'attribute_exists(pk)',
                    ExpressionAttributeNames: { '#role': 'role' },
                    ExpressionAttributeValues: { ':admin': 'admin' satisfies MemberRole },
                  },
                },
              ]),
        ],
      }),
    );
  }

  /** A membership transaction is cancelled when someone else changed the members at the same moment. */
  private async changeMembership(write: TransactWriteCommand): Promise<MembershipOutcome> {
    try {
      await this.table.client.send(write);
      return 'changed';
    } catch (error) {
      if (cancellationCodes(error)) return 'concurrent-change';
      throw error;
    }
  }

  private bumpMembersVersion(conversation: StoredConversation, memberDelta: number) {
    return {
      Update: {
        TableName: this.table.tableName,
        Key: keys.conversation(conversation.conversationId),
        UpdateExpression: 'SET membersVersion = membersVersion + :one, memberCount = memberCount + :delta',
        ConditionExpression: 'membersVersion = :expected',
        ExpressionAttributeValues: {
          ':one': 1,
          ':delta': memberDelta,
          ':expected': conversation.membersVersion,
        },
      },
    };
  }

  /** One page of the inbox: memberships, most recent activity first. */
  async inboxPage({ userId, limit, cursor }: Options<'inboxPage'>): Promise<InboxPage> {
    const answer = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: inboxIndexName,
        KeyConditionExpression: 'gsi1pk = :user',
        ExpressionAttributeValues: { ':user': keys.inboxPartition(userId) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor ? decodeCursor(cursor, keys.inboxPartition(userId)) : undefined,
      }),
    );
    return {
      memberships: (answer.Items ?? []).map(toMembership),
      ...(answer.LastEvaluatedKey ? { cursor: encodeCursor(answer.LastEvaluatedKey) } : {}),
    };
  }

  /** Every membership of a user (for unread totals and presence), read from the inbox index. */
  async allMemberships(userId: string): Promise<Membership[]> {
    const items = await queryAll(this.table, {
      IndexName: inboxIndexName,
      KeyConditionExpression: 'gsi1pk = :user',
      ExpressionAttributeValues: { ':user': keys.inboxPartition(userId) },
    });
    return items.map(toMembership);
  }

  /** Moves a member's read position forward; answers false when it was already at or past `seq`. */
  advanceRead({ conversationId, userId, seq }: Options<'advanceRead'>): Promise<boolean> {
    return conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.member(conversationId, userId),
          UpdateExpression: 'SET lastReadSeq = :seq',
          ConditionExpression: 'attribute_exists(pk) AND lastReadSeq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      ),
    );
  }

  /** Moves a member's inbox position to `lastActivityAt`, never back (safe under stream redelivery). */
  async touchInbox({ conversationId, userId, lastActivityAt }: Options<'touchInbox'>): Promise<void> {
    const { gsi1sk } = keys.inbox(userId, lastActivityAt, conversationId);
    await conditionally(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.member(conversationId, userId),
          UpdateExpression: 'SET gsi1sk = :sk',
          ConditionExpression: 'attribute_exists(pk) AND gsi1sk < :sk',
          ExpressionAttributeValues: { ':sk': gsi1sk },
        }),
      ),
    );
  }
}
