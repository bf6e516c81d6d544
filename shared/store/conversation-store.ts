/** Conversations and their members in DynamoDB. */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversationType, Member, MemberRole, Message, StoredConversation } from '../domain/model.ts';
import { validationFailed } from '../errors.ts';
import { entityTypes } from '../shape/table.ts';
import {
  batchGet,
  cancellationCodes,
  type Item,
  isConditionFailure,
  queryAll,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';

export interface NewConversation {
  conversationId: string;
  type: ConversationType;
  name?: string;
  createdBy: string;
  createdAt: string;
  members: { userId: string; role: MemberRole }[];
}

export interface Membership {
  conversationId: string;
  userId: string;
  lastReadSeq: number;
}

export interface InboxPage {
  memberships: Membership[];
  /** Opaque cursor of the next page, absent on the last page. */
  cursor?: string;
}

export function toConversation(item: Item): StoredConversation {
  return {
    conversationId: item.conversationId as string,
    type: item.type as ConversationType,
    ...(item.name === undefined ? {} : { name: item.name as string }),
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    lastSeq: item.lastSeq as number,
    lastActivityAt: item.lastActivityAt as string,
    inboxIndexedAt: (item.inboxIndexedAt ?? item.lastActivityAt) as string,
    ...(item.lastMessage === undefined ? {} : { lastMessage: item.lastMessage as Message }),
    membersVersion: item.membersVersion as number,
    memberCount: item.memberCount as number,
  };
}

export function toMember(item: Item): Member {
  return {
    userId: item.userId as string,
    role: item.role as MemberRole,
    joinedAt: item.joinedAt as string,
    lastReadSeq: item.lastReadSeq as number,
  };
}

function memberItem(
  conversationId: string,
  userId: string,
  role: MemberRole,
  joinedAt: string,
  lastActivityAt: string,
) {
  return {
    ...keys.member(conversationId, userId),
    ...keys.inbox(userId, lastActivityAt, conversationId),
    entity: entityTypes.member,
    conversationId,
    userId,
    role,
    joinedAt,
    lastReadSeq: 0,
  };
}

export class ConversationStore {
  constructor(private readonly table: TableContext) {}

  /** Creates a conversation with its members in one transaction; a direct one also claims its user pair. */
  async create(conversation: NewConversation): Promise<{ created: boolean; conversationId: string }> {
    const { conversationId, createdAt } = conversation;
    const meta = {
      ...keys.conversation(conversationId),
      entity: entityTypes.conversation,
      conversationId,
      type: conversation.type,
      name: conversation.name,
      createdBy: conversation.createdBy,
      createdAt,
      lastSeq: 0,
      lastActivityAt: createdAt,
      inboxIndexedAt: createdAt,
      membersVersion: 1,
      memberCount: conversation.members.length,
    };
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

  async getMember(conversationId: string, userId: string): Promise<Member | undefined> {
    const answer = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.member(conversationId, userId),
        ConsistentRead: true,
      }),
    );
    return answer.Item ? toMember(answer.Item) : undefined;
  }

  /** Adds members and bumps the members version, unless the membership changed since `expectedVersion`. */
  async addMembers(conversation: StoredConversation, userIds: string[], now: string): Promise<void> {
    const { conversationId } = conversation;
    await this.table.client.send(
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
  async removeMember(conversation: StoredConversation, userId: string, successor?: string): Promise<void> {
    const { conversationId } = conversation;
    await this.table.client.send(
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
  async inboxPage(userId: string, limit: number, cursor?: string): Promise<InboxPage> {
    const answer = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: 'gsi1',
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
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :user',
      ExpressionAttributeValues: { ':user': keys.inboxPartition(userId) },
    });
    return items.map(toMembership);
  }

  /** Moves a member's read position forward; answers false when it was already at or past `seq`. */
  async advanceRead(conversationId: string, userId: string, seq: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.member(conversationId, userId),
          UpdateExpression: 'SET lastReadSeq = :seq',
          ConditionExpression: 'attribute_exists(pk) AND lastReadSeq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Moves a member's inbox position to `lastActivityAt`, never back (safe under stream redelivery). */
  async touchInbox(conversationId: string, userId: string, lastActivityAt: string): Promise<void> {
    const { gsi1sk } = keys.inbox(userId, lastActivityAt, conversationId);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.member(conversationId, userId),
          UpdateExpression: 'SET gsi1sk = :sk',
          ConditionExpression: 'attribute_exists(pk) AND gsi1sk < :sk',
          ExpressionAttributeValues: { ':sk': gsi1sk },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function toMembership(item: Item): Membership {
  return {
    conversationId: item.conversationId as string,
    userId: item.userId as string,
    lastReadSeq: item.lastReadSeq as number,
  };
}

const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** A cursor is only accepted for the partition it came from, so it cannot page through another user's inbox. */
function decodeCursor(cursor: string, partition: string): Record<string, unknown> {
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    key = undefined;
  }
  // Exactly the key attributes of an inbox entry (table and index keys), so DynamoDB never sees a start key it
  // rejects (a ValidationException would surface as `internal`).
  const valid =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).sort().join(',') === 'gsi1pk,gsi1sk,pk,sk' &&
    key.gsi1pk === partition &&
    Object.values(key).every((value) => typeof value === 'string' && value !== '') &&
    (key.pk as string).startsWith(keys.conversation('').pk) &&
    (key.sk as string).startsWith(keys.memberPrefix);
  if (!valid || !key) throw validationFailed('cursor', 'is not a cursor of this list');
  return key;
}
