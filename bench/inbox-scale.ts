/**
 * `GET /unread` and the inbox of a user in many conversations (200, 1,000 and 10,000), with the hot state in
 * DynamoDB and on Valkey (one runtime each, in a child process started with `CHAT_HOT_STATE`). The conversations
 * and the user's memberships are written straight into the table with the stores' own item shapes (a conversation
 * with one message, the user not yet read it), so a size that would take minutes through the API takes seconds.
 * Nothing of them is in Valkey then: the first `GET /unread` of each size (timed on its own, not in the
 * percentiles) builds the user's cache from DynamoDB, as a cold cache or a first use does.
 */
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversationItem, memberItem } from '../shared/store/conversation-items.ts';
import type { LocalChatSystem } from './chat-system.ts';
import { childFlag, reportToParent, runChild } from './child-run.ts';
import { writeItems } from './direct-writes.ts';
import { measureRequests, type RequestResult } from './live-state.ts';
import { describe, percentiles, table } from './markdown.ts';
import { withLocalSystem } from './measured-runtime.ts';

const backends = ['dynamodb', 'valkey'] as const;
type Backend = (typeof backends)[number];

interface InboxScalePoint {
  backend: Backend;
  conversations: number;
  /** The first `GET /unread` of the reader, in ms: on Valkey it builds the reader's cache from DynamoDB. */
  firstUnreadMs: number;
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

/** Every size on one runtime of the given backend. */
async function measureSizes(
  system: LocalChatSystem,
  backend: Backend,
  sizes: readonly number[],
  requests: number,
): Promise<InboxScalePoint[]> {
  // The functions' cold start is not what this measures: a user in no conversation asks first.
  await system.call('scale-warm-up', 'GET', '/unread');
  await system.call('scale-warm-up', 'GET', `/conversations?limit=${inboxPageSize}`);
  const points: InboxScalePoint[] = [];
  for (const conversations of sizes) {
    const reader = `scale-reader-${conversations}`;
    const startedAt = performance.now();
    await seed(system, reader, conversations);
    const setupSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
    const firstStartedAt = performance.now();
    await system.call(reader, 'GET', '/unread');
    const firstUnreadMs = Math.round((performance.now() - firstStartedAt) * 10) / 10;
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
    points.push({ backend, conversations, firstUnreadMs, setupSeconds, unread, inbox });
  }
  return points;
}

/** In the child: every size on one runtime of the backend its environment names. */
async function child(): Promise<void> {
  const backend: Backend = process.env.CHAT_HOT_STATE === 'valkey' ? 'valkey' : 'dynamodb';
  const { sizes, requests } = JSON.parse(process.env.BENCH_INBOX_SCALE ?? '{}') as {
    sizes: number[];
    requests: number;
  };
  reportToParent(await withLocalSystem((system) => measureSizes(system, backend, sizes, requests)));
}

export async function inboxScale(
  sizes: readonly number[],
  requests: number,
  log: (line: string) => void,
): Promise<InboxScaleResult> {
  const points: InboxScalePoint[] = [];
  for (const backend of backends) {
    const measured = await runChild<InboxScalePoint[]>(fileURLToPath(import.meta.url), {
      CHAT_HOT_STATE: backend,
      BENCH_INBOX_SCALE: JSON.stringify({ sizes, requests }),
    });
    for (const p of measured)
      log(
        `inbox scale ${p.conversations} on ${backend}: GET /unread p50 ${p.unread.latencyMs.p50} ms ` +
          `(${p.unread.errors} errors, first ${p.firstUnreadMs} ms), inbox p50 ${p.inbox.latencyMs.p50} ms, ` +
          `setup ${p.setupSeconds} s`,
      );
    points.push(...measured);
  }
  return {
    parameters: {
      hotState: 'DynamoDB and Valkey, one local runtime each (a child process started with CHAT_HOT_STATE)',
      sizes: sizes.join(', '),
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
        [`GET /unread (first: ${p.firstUnreadMs} ms)`, p.unread],
        [`GET /conversations?limit=${inboxPageSize}`, p.inbox],
      ] as const
    ).map(([request, r]) => [
      p.backend === 'valkey' ? 'Valkey' : 'DynamoDB',
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

${note}${describe(result.parameters)}. Goals: \`GET /unread\` ≤ 50 ms p50 at 1,000 conversations; with the hot state on Valkey, < 10 ms p50.

${table(['hot state', 'conversations', 'request', 'count', 'latency p50 / p95 / p99 / max', 'wrong or failed', 'DynamoDB calls', 'RCU'], rows)}`;
}

if (process.argv.includes(childFlag)) await child();
