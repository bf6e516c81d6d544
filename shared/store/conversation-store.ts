/** Conversations and their members in DynamoDB. */
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Member, StoredConversation } from '../domain/model.ts';
import type {
  ConversationRepository,
  CreateOutcome,
  Departure,
  InboxPage,
  Membership,
  MembershipOutcome,
  NewConversation,
  SeqPosition,
} from '../domain/ports.ts';
import { inboxIndexName } from '../shape/table.ts';
import {
  decodeCursor,
  encodeCursor,
  sentSeqAttribute,
  toConversation,
  toDeparture,
  toMember,
  toMembership,
} from './conversation-items.ts';
import {
  type AdapterOperations,
  batchGet,
  cancellationCodes,
  conditionally,
  isConditionFailure,
  queryAll,
  type TableContext,
} from './dynamo.ts';
import { keys } from './keys.ts';
import { additionItems, creationItems, rejoinItems, removalItems } from './membership-writes.ts';

/** What this adapter issues (see `AdapterOperations`); membership changes are transactions. */
export const conversationStoreOperations = {
  read: ['GetItem', 'BatchGetItem', 'Query'],
  write: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  index: true,
} as const satisfies AdapterOperations;

type Options<K extends keyof ConversationRepository> = Parameters<ConversationRepository[K]>[0];

/** BatchGetItem calls of one read in flight at once: a user in 1,000 conversations is 10 calls, not 10 in a row. */
const batchGetsInFlight = 8;
/** What `toMembership` reads of an inbox entry; the index projects whole items, the answer need not carry them. */
const membershipAttributes = 'conversationId, userId, lastReadSeq, mentionSeqs';
type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

export class ConversationStore implements ConversationRepository {
  constructor(private readonly table: TableContext) {}

  /**
   * Creates a conversation with its members in one transaction; a direct one also claims its user pair and
   * checks that neither user blocks the other (a block checks the pair the same way, so the two cannot cross).
   */
  async create(conversation: NewConversation): Promise<CreateOutcome> {
    const { pair, blockChecks, items } = creationItems(this.table.tableName, conversation);
    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { outcome: 'created', conversationId: conversation.conversationId };
    } catch (error) {
      const codes = pair ? cancellationCodes(error) : undefined;
      if (codes?.slice(0, blockChecks).includes('ConditionalCheckFailed')) return { outcome: 'blocked' };
      // Then the pair's claim: if its condition failed, the other user (or a retry) created it already.
      if (codes?.[blockChecks] === 'ConditionalCheckFailed') {
        const existing = await this.table.client.send(
          new GetCommand({ TableName: this.table.tableName, Key: pair, ConsistentRead: true }),
        );
        return { outcome: 'existing', conversationId: existing.Item?.conversationId as string };
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
    const items = await batchGet(this.table, conversationIds.map(keys.conversation), {
      parallel: batchGetsInFlight,
    });
    return new Map(items.map((item) => [item.conversationId as string, toConversation(item)]));
  }

  /** Only `lastSeq` and the user's own last seq of each conversation (not its last message: smaller answers). */
  async seqPositions(conversationIds: string[], userId: string): Promise<Map<string, SeqPosition>> {
    const items = await batchGet(this.table, conversationIds.map(keys.conversation), {
      projection: {
        expression: 'conversationId, lastSeq, #own',
        names: { '#own': sentSeqAttribute(userId) },
      },
      parallel: batchGetsInFlight,
    });
    return new Map(
      items.map((item) => [
        item.conversationId as string,
        {
          lastSeq: item.lastSeq as number,
          ownSeq: (item[sentSeqAttribute(userId)] as number | undefined) ?? 0,
        },
      ]),
    );
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

  async getMemberships(pairs: Options<'getMemberships'>): Promise<Membership[]> {
    const items = await batchGet(
      this.table,
      pairs.map(({ conversationId, userId }) => keys.member(conversationId, userId)),
    );
    return items.map(toMembership);
  }

  /** Adds members and bumps the members version, unless the membership changed since it was read. */
  addMembers(options: Options<'addMembers'>): Promise<MembershipOutcome> {
    return this.changeMembership(additionItems(this.table.tableName, options));
  }

  /**
   * Removes a member and, in the same transaction, makes `successor` (when given) an admin and remembers the
   * `departure` (when given) in a `LEFT#` item beside the members.
   */
  removeMember(options: Options<'removeMember'>): Promise<MembershipOutcome> {
    return this.changeMembership(removalItems(this.table.tableName, options));
  }

  async departures({ conversationId, userIds }: Options<'departures'>): Promise<Departure[]> {
    const items = await batchGet(
      this.table,
      userIds.map((userId) => keys.departure(conversationId, userId)),
    );
    return items.map(toDeparture);
  }

  /** The departure becomes a membership again, with the read position it kept, in one transaction. */
  rejoin(options: Options<'rejoin'>): Promise<MembershipOutcome> {
    return this.changeMembership(rejoinItems(this.table.tableName, options));
  }

  /** A membership transaction is cancelled when someone else changed the members at the same moment. */
  private async changeMembership(items: TransactItems): Promise<MembershipOutcome> {
    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'changed';
    } catch (error) {
      if (cancellationCodes(error)) return 'concurrent-change';
      throw error;
    }
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
        ProjectionExpression: membershipAttributes,
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
      ProjectionExpression: membershipAttributes,
    });
    return items.map(toMembership);
  }

  /** Moves a member's read position forward; answers where it was, or undefined when already at or past `seq`. */
  async advanceRead({ conversationId, userId, seq }: Options<'advanceRead'>): Promise<number | undefined> {
    try {
      const answer = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.member(conversationId, userId),
          UpdateExpression: 'SET lastReadSeq = :seq',
          ConditionExpression: 'attribute_exists(pk) AND lastReadSeq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return (answer.Attributes?.lastReadSeq as number | undefined) ?? 0;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
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
