/**
 * The baseline: the minimal AWS WebSocket chat sample's fan-out, made conversation-aware. Connections are items
 * of one table; every message is a GetItem of the conversation (its member list), a PutItem of the message, a
 * full Scan of all connections (filtered to the members: the filter does not reduce the capacity a Scan
 * consumes) and one post to each member connection. It runs in this process on its own loopback WebSocket
 * server, against its own tables in the same DynamoDB Local, behind its own counting proxy, and is driven by
 * the same load client as our runtime. There is no stream hop: the send handler fans out itself.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ChatSystem, sleep } from './chat-system.ts';
import { writeItems } from './direct-writes.ts';
import type { CountingProxy } from './dynamo-proxy.ts';
import type { CounterSnapshot, SystemProbe } from './usage.ts';

const tables = {
  connections: 'naive-connections',
  conversations: 'naive-conversations',
  messages: 'naive-messages',
};

export class NaiveChatSystem implements ChatSystem {
  readonly name = 'naive-scan';
  private readonly sockets = new Map<string, WebSocket>();
  private readonly invocations: CounterSnapshot['invocations'] = {};
  private readonly running = new Set<Promise<unknown>>();
  private posts = 0;

  private constructor(
    private readonly documents: DynamoDBDocumentClient,
    /** Straight to DynamoDB Local, for setup writes that are not measured. */
    private readonly setupDocuments: DynamoDBDocumentClient,
    private readonly proxy: CountingProxy,
    private readonly server: Server,
    private readonly url: string,
  ) {}

  static async start(dynamoDbEndpoint: string, proxy: CountingProxy): Promise<NaiveChatSystem> {
    const admin = new DynamoDBClient({ endpoint: dynamoDbEndpoint });
    const keys = {
      connections: ['connectionId'],
      conversations: ['conversationId'],
      messages: ['conversationId', 'messageId'],
    };
    for (const [table, [hash, range]] of Object.entries(keys) as [keyof typeof tables, string[]][]) {
      await admin.send(
        new CreateTableCommand({
          TableName: tables[table],
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [hash, range].flatMap((name) =>
            name ? [{ AttributeName: name, AttributeType: 'S' as const }] : [],
          ),
          KeySchema: [
            { AttributeName: hash as string, KeyType: 'HASH' },
            ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
          ],
        }),
      );
    }
    const setupDocuments = DynamoDBDocumentClient.from(admin);
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: proxy.endpoint }));
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const system = new NaiveChatSystem(documents, setupDocuments, proxy, server, `ws://127.0.0.1:${port}`);
    server.on('upgrade', system.handleUpgrade);
    return system;
  }

  readonly probe: SystemProbe = {
    snapshot: () => ({
      dynamo: this.proxy.snapshot(),
      invocations: structuredClone(this.invocations),
      posts: this.posts,
      // The sample publishes no domain events.
      events: 0,
    }),
  };

  private readonly wss = new WebSocketServer({ noServer: true });

  async socketUrl(userId: string): Promise<string> {
    return `${this.url}/?user=${encodeURIComponent(userId)}`;
  }

  async createConversation(creatorId: string, otherIds: string[]): Promise<string> {
    const conversationId = randomUUID();
    await this.documents.send(
      new PutCommand({
        TableName: tables.conversations,
        Item: { conversationId, memberIds: [creatorId, ...otherIds] },
      }),
    );
    return conversationId;
  }

  async quiesce(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await sleep(20);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets.values()) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    this.documents.destroy();
    this.setupDocuments.destroy();
  }

  /** The connection item the sample's `$connect` writes, BatchWriteItem 25 at a time. */
  async addIdleUsers(userIds: readonly string[]): Promise<void> {
    const items = userIds.map((userId) => ({ connectionId: `idle-${userId}`, userId }));
    await writeItems(this.setupDocuments, tables.connections, items);
  }

  /** Runs a "function" like the sample's Lambdas: counted, timed, awaited by `quiesce`. */
  private async invoke(name: string, work: () => Promise<void>): Promise<void> {
    const startedAt = performance.now();
    const running = work();
    this.running.add(running);
    try {
      await running;
    } finally {
      this.running.delete(running);
      this.invocations[name] ??= { count: 0, totalMs: 0 };
      const entry = this.invocations[name];
      entry.count++;
      entry.totalMs += performance.now() - startedAt;
    }
  }

  private readonly handleUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const userId = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user') ?? '';
    const connectionId = randomBytes(10).toString('base64url');
    await this.invoke('NaiveConnect', async () => {
      await this.documents.send(
        new PutCommand({ TableName: tables.connections, Item: { connectionId, userId } }),
      );
    });
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.sockets.set(connectionId, ws);
      ws.on('message', (data) => {
        void this.invoke('NaiveSendMessage', () => this.sendMessage(userId, connectionId, data.toString()));
      });
      ws.on('close', () => {
        this.sockets.delete(connectionId);
        void this.invoke('NaiveDisconnect', async () => {
          await this.documents.send(
            new DeleteCommand({ TableName: tables.connections, Key: { connectionId } }),
          );
        });
      });
    });
  };

  private post(connectionId: string, frame: object): void {
    this.posts++;
    this.sockets.get(connectionId)?.send(JSON.stringify(frame));
  }

  private async sendMessage(senderId: string, senderConnectionId: string, text: string): Promise<void> {
    const frame = JSON.parse(text) as { conversationId: string; clientMessageId: string; body: string };
    const conversation = await this.documents.send(
      new GetCommand({ TableName: tables.conversations, Key: { conversationId: frame.conversationId } }),
    );
    const memberIds = (conversation.Item?.memberIds as string[] | undefined) ?? [];
    const message = {
      conversationId: frame.conversationId,
      messageId: `${Date.now()}-${randomBytes(6).toString('hex')}`,
      senderId,
      body: frame.body,
      clientMessageId: frame.clientMessageId,
      createdAt: new Date().toISOString(),
    };
    await this.documents.send(new PutCommand({ TableName: tables.messages, Item: message }));
    this.post(senderConnectionId, { type: 'message.ack', clientMessageId: frame.clientMessageId, message });
    const memberValues = Object.fromEntries(memberIds.map((id, index) => [`:m${index}`, id]));
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: tables.connections,
          FilterExpression: `userId IN (${Object.keys(memberValues).join(', ')})`,
          ExpressionAttributeValues: memberValues,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.connectionId !== senderConnectionId) {
          this.post(item.connectionId as string, { type: 'message.new', message });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
