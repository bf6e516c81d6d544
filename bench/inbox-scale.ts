/**
 * `GET /unread` and the inbox of a user in many conversations (1,000 and 10,000). The conversations and the
 * user's memberships are written straight into the table with the stores' own item shapes (a conversation with
 * one message, the user not yet read it), so a size that would take minutes through the API takes seconds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversationItem, memberItem } from '../shared/store/conversation-items.ts';
import type { LocalChatSystem } from './chat-system.ts';
import { writeItems } from './direct-writes.ts';
import { measureRequests, type RequestResult } from './live-state.ts';
import { describe, percentiles, table } from './markdown.ts';

interface InboxScalePoint {
  conversations: number;
  /** Seconds to write the items (not measured as usage). */
  setupSeconds: number;
  unread: RequestResult;
  inbox: RequestResult;
}

export interface InboxScaleResult {
  parameters: Record<string, number | string>;
  points: InboxScalePoint[];
}

const inboxPageSize = 50;

/** The reader's conversations, each with one message from its peer, written directly. */
async function seed(system: LocalChatSystem, reader: string, conversations: number): Promise<void> {
  const { runtime } = system;
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.dynamoDbEndpoint }));
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const items = Array.from({ length: conversations }, (_, index) => {
    const conversationId = `${reader}-c${index}`;
    const createdAt = new Date(start + index * 1000).toISOString();
    const conversation = conversationItem({
      conversationId,
      type: 'group',
      name: `scale ${index}`,
      createdBy: reader,
      createdAt,
      members: [
        { userId: reader, role: 'admin' },
        { userId: `${reader}-peer`, role: 'member' },
      ],
    });
    return [
      { ...conversation, lastSeq: 1 },
      memberItem(conversationId, reader, 'admin', createdAt, createdAt),
    ];
  }).flat();
  try {
    await writeItems(client, runtime.tableName, items);
  } finally {
    client.destroy();
  }
}

export async function inboxScale(
  system: LocalChatSystem,
  sizes: readonly number[],
  requests: number,
  log: (line: string) => void,
): Promise<InboxScaleResult> {
  const points: InboxScalePoint[] = [];
  for (const conversations of sizes) {
    const reader = `scale-reader-${conversations}`;
    const startedAt = performance.now();
    await seed(system, reader, conversations);
    const setupSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
    // One uncounted request of each first: the functions' cold start is not what this measures.
    await system.call(reader, 'GET', '/unread');
    await system.call(reader, 'GET', `/conversations?limit=${inboxPageSize}`);
    const unread = await measureRequests(system, requests, async () => {
      const answer = await system.call<{ total: number }>(reader, 'GET', '/unread');
      return answer.total === conversations;
    });
    const inbox = await measureRequests(system, requests, async () => {
      const answer = await system.call<{ items: { unreadCount: number }[] }>(
        reader,
        'GET',
        `/conversations?limit=${inboxPageSize}`,
      );
      return answer.items.length === inboxPageSize && answer.items.every((item) => item.unreadCount === 1);
    });
    log(
      `inbox scale ${conversations}: GET /unread p50 ${unread.latencyMs.p50} ms (${unread.errors} errors), ` +
        `inbox p50 ${inbox.latencyMs.p50} ms, setup ${setupSeconds} s`,
    );
    points.push({ conversations, setupSeconds, unread, inbox });
  }
  return {
    parameters: {
      sizes: sizes.join(' and '),
      requests,
      inboxPageSize,
      unreadPerConversation: 1,
      setup: 'conversation and membership items written directly (BatchWriteItem, 25 a call, 8 at once)',
    },
    points,
  };
}

export function inboxScaleMarkdown(result: InboxScaleResult, note = ''): string {
  const rows = result.points.flatMap((p) =>
    (
      [
        ['GET /unread', p.unread],
        [`GET /conversations?limit=${inboxPageSize}`, p.inbox],
      ] as const
    ).map(([request, r]) => [
      p.conversations.toLocaleString('en-US'),
      request,
      r.requests,
      percentiles(r.latencyMs),
      r.errors,
      r.perRequest.dynamoCalls,
      r.perRequest.readUnits,
    ]),
  );
  return `## GET /unread and the inbox at scale

${note}${describe(result.parameters)}. Goal: \`GET /unread\` ≤ 50 ms p50 at 1,000 conversations.

${table(['conversations', 'request', 'count', 'latency p50 / p95 / p99 / max', 'wrong or failed', 'DynamoDB calls', 'RCU'], rows)}`;
}
