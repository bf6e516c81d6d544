/**
 * What a plain text message costs in DynamoDB, asked of DynamoDB Local (ReturnConsumedCapacity) for every call:
 * the send's calls and their capacity, and the stream consumer's for its record. Rich messages (issue 21) must not
 * change them: a message without replyTo, mentions or attachments makes the same calls on the same items.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatContext } from '../../shared/domain/context.ts';
import { createConversation } from '../../shared/domain/conversations.ts';
import { fanOut } from '../../shared/domain/fan-out.ts';
import { sendMessage } from '../../shared/domain/messaging.ts';
import { addReaction } from '../../shared/domain/reactions.ts';
import { buildChatContext } from '../../shared/handlers/composition-root.ts';
import { createTestTable } from '../support/dynamo.ts';

interface Call {
  command: string;
  read: number;
  write: number;
}

/** Every call the context makes, with the capacity DynamoDB reports for it. */
const calls: Call[] = [];
let ctx: ChatContext;
beforeAll(async () => {
  const table = await createTestTable();
  const client = {
    send: async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
      command.input.ReturnConsumedCapacity = 'TOTAL';
      const answer = (await table.client.send(command as Parameters<DynamoDBDocumentClient['send']>[0])) as {
        ConsumedCapacity?:
          | { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[]
          | { CapacityUnits?: number };
      };
      const consumed = [answer.ConsumedCapacity ?? []].flat();
      const isWrite = /Put|Update|Delete|Write/.test(command.constructor.name);
      const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      calls.push({
        command: command.constructor.name.replace('Command', ''),
        read: isWrite ? 0 : units,
        write: isWrite ? units : 0,
      });
      return answer;
    },
  } as unknown as DynamoDBDocumentClient;
  // The stream path (threshold 0): the send posts nothing and reads no connections, so only its writes count.
  ctx = buildChatContext({
    table: { client, tableName: table.tableName },
    settings: { directDeliveryMaxConnections: 0 },
  });
});

const total = (key: 'read' | 'write') => calls.reduce((sum, call) => sum + call[key], 0);

describe('a plain text message', () => {
  it('costs the send 1.5 RCU and 5 WCU: the counter, intent and message (1 each) and a group sender’s read position (2)', async () => {
    const { conversation } = await createConversation(ctx, {
      userId: 'alice',
      input: { type: 'group', name: 'Team', memberIds: ['bob'] },
    });
    calls.length = 0;
    const { message } = await sendMessage(ctx, {
      userId: 'alice',
      conversationId: conversation.conversationId,
      clientMessageId: 'plain-1',
      body: 'a plain text message of ordinary length',
    });
    const writes = calls.filter((call) => call.write > 0).map((call) => call.command);
    expect(writes).toEqual(['Update', 'Put', 'Put', 'Update']);
    console.info(`plain send: ${JSON.stringify(calls)}; ${total('read')} RCU, ${total('write')} WCU`);
    // The read position's update is 2: the member item and its entry in the inbox index.
    expect(calls.map((call) => call.write)).toEqual([0, 0, 1, 1, 1, 2]);
    expect(total('read')).toBe(1.5);

    calls.length = 0;
    await fanOut(ctx, [{ id: '1', kind: 'new', message, membersVersion: 1, deliveredOnSend: false }]);
    // The consumer reads the members and their connections; it writes nothing for a plain message.
    console.info(`its stream record: ${JSON.stringify(calls)}`);
    expect(calls.filter((call) => call.write > 0)).toEqual([]);
  });

  it('reacting costs a put and one update of the summary, never a write to the message', async () => {
    const { conversation } = await createConversation(ctx, {
      userId: 'alice',
      input: { type: 'group', name: 'Team', memberIds: ['bob'] },
    });
    const { conversationId } = conversation;
    const { message } = await sendMessage(ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId: 'c',
      body: 'hi',
    });
    calls.length = 0;
    await addReaction(ctx, { userId: 'bob', conversationId, messageId: message.messageId, emoji: '👍' });
    console.info(`a reaction: ${JSON.stringify(calls)}; ${total('read')} RCU, ${total('write')} WCU`);
    expect(calls.filter((call) => call.write > 0).map((call) => call.command)).toEqual(['Put', 'Update']);
    expect(total('write')).toBe(2);
  });
});
