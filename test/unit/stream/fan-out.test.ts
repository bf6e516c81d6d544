import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fanOut, type MessageChange } from '../../../shared/domain/fan-out.ts';
import { limits } from '../../../shared/domain/limits.ts';
import type { Message } from '../../../shared/domain/model.ts';
import { buildChatContext } from '../../../shared/handlers/composition-root.ts';
import { toMessageChange } from '../../../shared/store/message-stream.ts';

const documents = mockClient(DynamoDBDocumentClient);
const management = mockClient(ApiGatewayManagementApiClient);
const now = Date.parse('2026-11-22T10:00:00.000Z');

const message = (seq: number, conversationId = 'conv-1'): Message => ({
  conversationId,
  messageId: `${seq}-X`,
  seq,
  senderId: 'alice',
  body: `hello ${seq}`,
  clientMessageId: `c${seq}`,
  createdAt: new Date(now - 100).toISOString(),
});
const change = (seq: number, conversationId?: string): MessageChange => ({
  id: `seq-${seq}`,
  kind: 'new',
  message: message(seq, conversationId),
  membersVersion: 1,
});

function context() {
  return buildChatContext({
    table: {
      client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
      tableName: 'chat',
    },
    connectionsEndpoint: 'http://connections.test',
    clock: () => now,
  });
}

const sessionItems: Record<string, object> = {
  'USER#alice': { pk: 'USER#alice', 'conn:alice-1': now + 60_000 },
  'USER#bob': {
    pk: 'USER#bob',
    'conn:bob-1': now + 60_000,
    // Quiet for longer than presence lasts, but its socket may be open: still delivered to.
    'conn:bob-quiet': now - 1,
    // Last renewed longer ago than API Gateway keeps any connection open.
    'conn:bob-closed': now - limits.maxConnectionAgeMs - 1,
  },
};

beforeEach(() => {
  // conv-solo has only alice as member; every other conversation has alice and bob.
  documents.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => ({
    Items: (input.ExpressionAttributeValues[':pk'] === 'CONV#conv-solo' ? ['alice'] : ['alice', 'bob']).map(
      (userId) => ({
        userId,
        role: 'member',
        joinedAt: 'x',
        lastReadSeq: 0,
      }),
    ),
  }));
  documents
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: { chat: { Keys: { pk: string }[] } } }) => ({
      Responses: { chat: input.RequestItems.chat.Keys.map((key) => sessionItems[key.pk]) },
    }));
  documents.on(UpdateCommand).resolves({});
  management.on(PostToConnectionCommand).resolves({});
});

afterEach(() => {
  documents.reset();
  management.reset();
});

describe('fanOut', () => {
  it('delivers to every connection of every member that may be open, skipping closed ones and the sending socket', async () => {
    const summary = await fanOut(context(), [{ ...change(1), senderConnectionId: 'alice-1' }]);

    expect(summary.failedIds).toEqual([]);
    const targets = management
      .commandCalls(PostToConnectionCommand)
      .map((call) => call.args[0].input.ConnectionId);
    expect(targets).toEqual(['bob-1', 'bob-quiet']);
    expect(summary.latenciesMs).toEqual([100]);
  });

  it('looks members and connections up with a bounded number of calls, not one per member', async () => {
    await fanOut(context(), [change(1)]);

    expect(documents).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(documents).toHaveReceivedCommandTimes(BatchGetCommand, 1);
  });

  it('moves the members’ inbox index only for messages marked to move it, one write per member', async () => {
    await fanOut(context(), [change(1), change(2)]);
    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 0);

    await fanOut(context(), [{ ...change(3), moveInbox: true }]);
    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 2);
  });

  it('keeps delivering other conversations while one fails, and reports from the first failure on', async () => {
    management
      .on(PostToConnectionCommand, { ConnectionId: 'bob-1' })
      .rejects(Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } }));

    const summary = await fanOut(context(), [change(1, 'conv-1'), change(2, 'conv-solo')]);

    const soloDelivery = management
      .commandCalls(PostToConnectionCommand)
      .some((call) => new TextDecoder().decode(call.args[0].input.Data as Uint8Array).includes('conv-solo'));
    expect(soloDelivery).toBe(true);
    expect(summary.failedIds).toEqual(['seq-1', 'seq-2']);
  });

  it('reports the failing record and every later one, so the retry resumes in order', async () => {
    // Bob's socket keeps failing with a server error; alice's works.
    management
      .on(PostToConnectionCommand, { ConnectionId: 'bob-1' })
      .rejects(Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } }));
    const batch = [change(1, 'conv-solo'), change(2), change(3)];

    const summary = await fanOut(context(), batch);

    expect(summary.failedIds).toEqual(['seq-2', 'seq-3']);
    // The third record was not attempted: it will be retried after the second, in order.
    expect(documents).toHaveReceivedCommandTimes(QueryCommand, 2);
  });
});

describe('toMessageChange', () => {
  const record = (eventName: 'INSERT' | 'MODIFY', newItem: object, oldItem?: object): DynamoDBRecord => ({
    eventName,
    dynamodb: {
      SequenceNumber: '42',
      NewImage: marshall({ membersVersion: 3, ...newItem }) as never,
      ...(oldItem ? { OldImage: marshall({ membersVersion: 3, ...oldItem }) as never } : {}),
    },
  });

  it('maps an insert to message.new with the members version and the sending socket', () => {
    const change = toMessageChange(record('INSERT', { ...message(1), senderConnectionId: 'sock' }));
    expect(change).toMatchObject({
      id: '42',
      kind: 'new',
      membersVersion: 3,
      senderConnectionId: 'sock',
      message: message(1),
    });
  });

  it('maps a soft delete to deleted and an edit to updated', () => {
    const deleted = toMessageChange(
      record('MODIFY', { ...message(1), body: '', deletedAt: 'now' }, message(1)),
    );
    const edited = toMessageChange(
      record('MODIFY', { ...message(1), body: 'new', editedAt: 'now' }, message(1)),
    );
    expect(deleted?.kind).toBe('deleted');
    expect(edited?.kind).toBe('updated');
  });

  it('ignores a change no client would see', () => {
    expect(toMessageChange(record('MODIFY', message(1), message(1)))).toBeUndefined();
  });
});
