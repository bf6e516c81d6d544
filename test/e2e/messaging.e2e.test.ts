import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { defaultSettings } from '../../shared/config.ts';
import { keys } from '../../shared/store/keys.ts';
import { api, eventually, socketPool, target } from '../support/target.ts';

const t = target();
const { open, closeAll } = socketPool(t);

afterEach(closeAll);

const ofConversation = (type: string, conversationId: string) => (e: Record<string, unknown>) =>
  e.type === type &&
  (e.conversationId ??
    (e.message as { conversationId?: string } | undefined)?.conversationId ??
    (e.conversation as { conversationId?: string } | undefined)?.conversationId) === conversationId;

async function groupOf(admin: string, members: string[]) {
  const { status, body } = await api(t, admin, 'POST', '/conversations', {
    type: 'group',
    name: 'Team',
    memberIds: members,
  });
  expect(status).toBe(201);
  return body.conversationId as string;
}

describe('messages over HTTP and WebSocket', () => {
  it('stores an HTTP send once: 201, then 200 with the same message on retry, and delivers it to every member socket', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await groupOf(alice, [bob]);
    const [aliceSocket, bobSocket] = [await open(alice), await open(bob)];

    const first = await api(t, alice, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'h1',
      body: 'via http',
    });
    const retry = await api(t, alice, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'h1',
      body: 'via http',
    });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    for (const socket of [aliceSocket, bobSocket]) {
      await socket.waitFor(ofConversation('message.new', conversationId), t.eventTimeoutMs);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bobSocket.ofType('message.new')).toHaveLength(1);
  });

  it('acks a repeated WebSocket send with the already stored message and stores nothing new', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await groupOf(alice, [bob]);
    const socket = await open(alice);
    const frame = { action: 'sendMessage', conversationId, clientMessageId: 'dup', body: 'once' };

    socket.send(frame);
    socket.send(frame);
    await socket.waitFor(() => socket.ofType('message.ack').length === 2);

    const [a, b] = socket.ofType('message.ack') as { message: { messageId: string } }[];
    expect(a?.message.messageId).toBe(b?.message.messageId);
    const history = await api(t, bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items).toHaveLength(1);
  });

  it('tells members about an edit and a soft delete, and only the author may do either', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await groupOf(alice, [bob]);
    const bobSocket = await open(bob);
    const sent = await api(t, alice, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'e1',
      body: 'tpyo',
    });
    const path = `/conversations/${conversationId}/messages/${sent.body.messageId}`;

    expect((await api(t, bob, 'PATCH', path, { body: 'not mine' })).status).toBe(403);
    const edited = await api(t, alice, 'PATCH', path, { body: 'typo' });
    expect(edited).toMatchObject({ status: 200, body: { body: 'typo', editedAt: expect.any(String) } });
    expect(
      await bobSocket.waitFor(ofConversation('message.updated', conversationId), t.eventTimeoutMs),
    ).toMatchObject({
      message: { body: 'typo' },
    });

    expect((await api(t, bob, 'DELETE', path)).status).toBe(403);
    expect((await api(t, alice, 'DELETE', path)).status).toBe(204);
    expect(
      await bobSocket.waitFor(ofConversation('message.deleted', conversationId), t.eventTimeoutMs),
    ).toEqual({
      type: 'message.deleted',
      conversationId,
      messageId: sent.body.messageId,
      seq: 1,
    });
    const history = await api(t, bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items[0]).toMatchObject({ seq: 1, body: '', deletedAt: expect.any(String) });
  });

  it('announces members joining and leaving, and a removed member stops receiving messages', async () => {
    const [admin, carol, dan] = await t.newUsers('admin', 'carol', 'dan');
    const conversationId = await groupOf(admin, [carol]);
    const [carolSocket, danSocket] = [await open(carol), await open(dan)];

    const added = await api(t, admin, 'POST', `/conversations/${conversationId}/members`, { userIds: [dan] });
    expect(added.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [admin, carol, dan].sort(),
    );
    await danSocket.waitFor(ofConversation('conversation.updated', conversationId));
    await carolSocket.waitFor(ofConversation('conversation.updated', conversationId));

    expect((await api(t, admin, 'DELETE', `/conversations/${conversationId}/members/${dan}`)).status).toBe(
      204,
    );
    await danSocket.waitFor(
      (e) => e.type === 'conversation.updated' && danSocket.ofType('conversation.updated').length === 2,
    );
    await api(t, admin, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'after-leave',
      body: 'secret',
    });

    await carolSocket.waitFor(ofConversation('message.new', conversationId), t.eventTimeoutMs);
    expect(danSocket.ofType('message.new')).toEqual([]);
    expect((await api(t, dan, 'GET', `/conversations/${conversationId}/messages`)).status).toBe(403);
  });

  it('shows a conversation with exactly the protocol’s fields wherever it appears, and no bookkeeping', async () => {
    const [admin, carol] = await t.newUsers('admin', 'carol');
    const carolSocket = await open(carol);
    const created = await api(t, admin, 'POST', '/conversations', {
      type: 'group',
      name: 'Fields',
      memberIds: [carol],
    });
    const { conversationId } = created.body;
    await api(t, admin, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'f-1',
      body: 'hello',
    });
    const fetched = await api(t, carol, 'GET', `/conversations/${conversationId}`);
    const inbox = await api(t, carol, 'GET', '/conversations?limit=1');
    const announced = await carolSocket.waitFor(ofConversation('conversation.updated', conversationId));

    const fields = [
      'conversationId',
      'createdAt',
      'createdBy',
      'lastActivityAt',
      'lastSeq',
      'memberCount',
      'name',
      'type',
    ];
    const keysOf = (value: object) => Object.keys(value).sort();
    expect(keysOf(created.body)).toEqual([...fields, 'members'].sort());
    expect(keysOf(fetched.body)).toEqual([...fields, 'members'].sort());
    expect(keysOf(announced.conversation as object)).toEqual([...fields, 'members'].sort());
    expect(inbox.body.items[0].conversation.conversationId).toBe(conversationId);
    expect(keysOf(inbox.body.items[0].conversation)).toEqual(fields);
    expect(keysOf(inbox.body.items[0])).toEqual([
      'conversation',
      'lastMessage',
      'unreadCount',
      'unreadMentions',
    ]);
  });

  it('lists the inbox by latest activity with last message and unread count', async () => {
    const [me, x, y] = await t.newUsers('me', 'x', 'y');
    const older = await groupOf(me, [x]);
    const newer = await groupOf(me, [y]);
    await api(t, x, 'POST', `/conversations/${older}/messages`, { clientMessageId: 'o1', body: 'old news' });
    await api(t, y, 'POST', `/conversations/${newer}/messages`, { clientMessageId: 'n1', body: 'one' });
    await api(t, y, 'POST', `/conversations/${newer}/messages`, { clientMessageId: 'n2', body: 'two' });

    const inbox = await api(t, me, 'GET', '/conversations?limit=10');

    expect(inbox.status).toBe(200);
    expect(
      inbox.body.items.map(
        (i: {
          conversation: { conversationId: string };
          unreadCount: number;
          lastMessage: { body: string };
        }) => [i.conversation.conversationId, i.unreadCount, i.lastMessage.body],
      ),
    ).toEqual([
      [newer, 2, 'two'],
      [older, 1, 'old news'],
    ]);
  });
});

// Needs the table itself to plant a stale connection: only the local runtime gives that access.
describe.runIf(t.isLocal)('stale connections', () => {
  const table = () => {
    const { dynamoDbEndpoint, tableName } = inject('local');
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: dynamoDbEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    return { documents, tableName };
  };

  it('keeps delivering to a socket that stayed quiet for longer than presence lasts', async () => {
    const { documents, tableName } = table();
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await groupOf(alice, [bob]);
    const bobSocket = await open(bob);
    // Bob's socket has sent nothing since it connected, longer ago than the presence TTL: its record says so.
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: keys.presence(bob), ConsistentRead: true }),
    );
    const [connection] = Object.keys(Item ?? {}).filter((name) => name.startsWith('conn:'));
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.presence(bob),
        UpdateExpression: 'SET #connection = :expiredAMomentAgo',
        ExpressionAttributeNames: { '#connection': connection ?? 'conn:missing' },
        ExpressionAttributeValues: { ':expiredAMomentAgo': Date.now() - 1000 },
      }),
    );

    await api(t, alice, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 'q1',
      body: 'are you there?',
    });

    expect(
      await bobSocket.waitFor(ofConversation('message.new', conversationId), t.eventTimeoutMs),
    ).toMatchObject({ message: { body: 'are you there?' } });
    // Presence did expire: contacts see Bob offline while his open socket still receives.
    expect((await api(t, alice, 'GET', `/presence?userIds=${bob}`)).body.users[0].status).toBe('offline');
  });

  it('prunes a connection that answers 410 Gone, keeps one still in its handshake, and delivers to the live ones', async () => {
    const { documents, tableName } = table();
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await groupOf(alice, [bob]);
    const bobSocket = await open(bob);
    // One connection API Gateway no longer knows, last renewed 30 s ago (its $disconnect was lost), and one
    // recorded a moment ago whose handshake has not completed: both answer 410 to a post.
    const ttlMs = defaultSettings.presenceTtlSeconds * 1000;
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.presence(bob),
        UpdateExpression: 'SET #stale = :staleExpiry, #fresh = :freshExpiry',
        ExpressionAttributeNames: { '#stale': 'conn:stale-connection=', '#fresh': 'conn:in-handshake=' },
        ExpressionAttributeValues: {
          ':staleExpiry': Date.now() - 30_000 + ttlMs,
          ':freshExpiry': Date.now() + ttlMs,
        },
      }),
    );

    await api(t, alice, 'POST', `/conversations/${conversationId}/messages`, {
      clientMessageId: 's1',
      body: 'still there?',
    });

    await bobSocket.waitFor(ofConversation('message.new', conversationId), t.eventTimeoutMs);
    const connectionsOfBob = await eventually(async () => {
      const presence = await documents.send(
        new GetCommand({ TableName: tableName, Key: keys.presence(bob), ConsistentRead: true }),
      );
      const names = Object.keys(presence.Item ?? {}).filter((name) => name.startsWith('conn:'));
      expect(names).not.toContain('conn:stale-connection=');
      return names;
    }, t.eventTimeoutMs);
    // Bob's live socket and the one still in its handshake.
    expect(connectionsOfBob).toContain('conn:in-handshake=');
    expect(connectionsOfBob).toHaveLength(2);
  });
});
