/**
 * The transaction items of the conversation store's writes: creation (with a direct pair's claim and block
 * checks) and every membership change, each bumping the members version it was decided under.
 */
import type { MemberRole, StoredConversation } from '../domain/model.ts';
import type { Departure, NewConversation } from '../domain/ports.ts';
import { entityTypes } from '../shape/table.ts';
import { conversationItem, departureItem, memberItem } from './conversation-items.ts';
import { keys } from './keys.ts';

const mustBeNew = 'attribute_not_exists(pk)';
const mustExist = 'attribute_exists(pk)';

/**
 * Creation's items, in this order: for a direct conversation the two block checks (neither user blocks the other)
 * and the pair's claim; then the conversation and its members. The order lets a cancellation say which failed.
 */
export function creationItems(tableName: string, conversation: NewConversation) {
  const { conversationId, createdAt, members } = conversation;
  const puts = [
    conversationItem(conversation),
    ...members.map((m) => memberItem(conversationId, m.userId, m.role, createdAt, createdAt)),
  ].map((Item) => ({ Put: { TableName: tableName, Item, ConditionExpression: mustBeNew } }));
  const [first, second] = members.map((m) => m.userId);
  if (conversation.type !== 'direct' || first === undefined || second === undefined) {
    return { pair: undefined, blockChecks: 0, items: puts };
  }
  const pair = keys.directPair(first, second);
  const blockChecks = [keys.block(first, second), keys.block(second, first)].map((Key) => ({
    ConditionCheck: { TableName: tableName, Key, ConditionExpression: mustBeNew },
  }));
  const claim = {
    Put: {
      TableName: tableName,
      Item: { ...pair, entity: entityTypes.directPair, conversationId },
      ConditionExpression: mustBeNew,
    },
  };
  return { pair, blockChecks: blockChecks.length, items: [...blockChecks, claim, ...puts] };
}

/** The conversation's members version moves on, if it is still the one the change was decided under. */
function bumpMembersVersion(tableName: string, conversation: StoredConversation, memberDelta: number) {
  return {
    Update: {
      TableName: tableName,
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

export function additionItems(
  tableName: string,
  { conversation, userIds, now }: { conversation: StoredConversation; userIds: string[]; now: string },
) {
  const { conversationId, lastActivityAt } = conversation;
  return [
    bumpMembersVersion(tableName, conversation, userIds.length),
    ...userIds.map((userId) => ({
      Put: {
        TableName: tableName,
        Item: memberItem(conversationId, userId, 'member', now, lastActivityAt),
        ConditionExpression: mustBeNew,
      },
    })),
  ];
}

/** Removes the member; promotes `successor` to admin and remembers the `departure` when given. */
export function removalItems(
  tableName: string,
  options: { conversation: StoredConversation; userId: string; successor?: string; departure?: Departure },
) {
  const { conversation, userId, successor, departure } = options;
  const { conversationId } = conversation;
  return [
    bumpMembersVersion(tableName, conversation, -1),
    {
      Delete: {
        TableName: tableName,
        Key: keys.member(conversationId, userId),
        ConditionExpression: mustExist,
      },
    },
    ...(departure === undefined ? [] : [{ Put: { TableName: tableName, Item: departureItem(departure) } }]),
    ...(successor === undefined
      ? []
      : [
          {
            Update: {
              TableName: tableName,
              Key: keys.member(conversationId, successor),
              UpdateExpression: 'SET #role = :admin',
              ConditionExpression: mustExist,
              ExpressionAttributeNames: { '#role': 'role' },
              ExpressionAttributeValues: { ':admin': 'admin' satisfies MemberRole },
            },
          },
        ]),
  ];
}

/** The departure becomes a membership again, with the read position it kept. */
export function rejoinItems(
  tableName: string,
  { conversation, departure, now }: { conversation: StoredConversation; departure: Departure; now: string },
) {
  const { conversationId, userId, lastReadSeq } = departure;
  return [
    bumpMembersVersion(tableName, conversation, 1),
    {
      Delete: {
        TableName: tableName,
        Key: keys.departure(conversationId, userId),
        ConditionExpression: mustExist,
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: {
          ...memberItem(conversationId, userId, 'member', now, conversation.lastActivityAt),
          lastReadSeq,
        },
        ConditionExpression: mustBeNew,
      },
    },
  ];
}
