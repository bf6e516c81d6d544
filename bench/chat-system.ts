/**
 * The system under test, as the scenarios see it: our local runtime (real gateway, functions, stream fan-out)
 * or the naive Scan-based baseline. Both are driven by the same load client and measured the same way.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalRuntime } from '../local/runtime.ts';
import { forEachBounded } from '../shared/async.ts';
import { publishedEventCount } from '../shared/moderation/recording-publisher.ts';
import { PresenceStore } from '../shared/store/presence-store.ts';
import type { CountingProxy } from './dynamo-proxy.ts';
import type { CounterSnapshot, SystemProbe } from './usage.ts';

export interface ChatSystem {
  name: string;
  probe: SystemProbe;
  socketUrl(userId: string): Promise<string>;
  /** A direct conversation for one other user, a group for more; answers its id. */
  createConversation(creatorId: string, otherIds: string[]): Promise<string>;
  /** Resolves once background work (stream fan-out, `$disconnect`) has finished. */
  quiesce(): Promise<void>;
  /**
   * Records one open connection for each of these users straight in the system's tables, as its `$connect`
   * would (no socket): users who are only connected, for the capacity curve.
   */
  addIdleUsers(userIds: readonly string[]): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Our runtime, with every function invocation timed (the basis of the Lambda GB-second estimate). */
export class LocalChatSystem implements ChatSystem {
  readonly name = 'serverless-chat';
  private readonly tokens = new Map<string, string>();
  private readonly invocationMs = new Map<string, number>();

  constructor(
    readonly runtime: LocalRuntime,
    private readonly proxy: CountingProxy,
  ) {
    const { functions } = runtime;
    const invoke = functions.invoke.bind(functions);
    functions.invoke = async (name, event) => {
      const startedAt = performance.now();
      try {
        return await invoke(name, event);
      } finally {
        this.invocationMs.set(name, (this.invocationMs.get(name) ?? 0) + performance.now() - startedAt);
      }
    };
  }

  readonly probe: SystemProbe = {
    snapshot: (): CounterSnapshot => ({
      dynamo: this.proxy.snapshot(),
      invocations: Object.fromEntries(
        [...this.runtime.functions.invocations].map(([name, count]) => [
          name,
          { count, totalMs: this.invocationMs.get(name) ?? 0 },
        ]),
      ),
      posts: this.runtime.websocket.postCount,
      events: publishedEventCount(),
    }),
  };

  async token(userId: string): Promise<string> {
    const cached = this.tokens.get(userId);
    if (cached) return cached;
    const token = await this.runtime.issueToken(userId);
    this.tokens.set(userId, token);
    return token;
  }

  async socketUrl(userId: string): Promise<string> {
    return `${this.runtime.wsUrl}?token=${encodeURIComponent(await this.token(userId))}`;
  }

  /** Calls the HTTP API as a user; a non-2xx answer throws, so setup problems stop the run. */
  async call<T>(userId: string, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await fetch(`${this.runtime.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.token(userId)}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async createConversation(creatorId: string, otherIds: string[]): Promise<string> {
    const request =
      otherIds.length === 1
        ? { type: 'direct', memberIds: otherIds }
        : { type: 'group', name: `bench ${creatorId}`, memberIds: otherIds };
    const conversation = await this.call<{ conversationId: string }>(
      creatorId,
      'POST',
      '/conversations',
      request,
    );
    return conversation.conversationId;
  }

  /** The presence item `$connect` writes, through the presence store itself, past the counting proxy. */
  async addIdleUsers(userIds: readonly string[]): Promise<void> {
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: this.runtime.dynamoDbEndpoint }),
    );
    const presence = new PresenceStore({ client, tableName: this.runtime.tableName });
    const nowMs = Date.now();
    try {
      await forEachBounded(userIds, 16, async (userId) => {
        await presence.putConnection({
          userId,
          connectionId: `idle-${userId}`,
          expiresAtMs: nowMs + 3_600_000,
          nowMs,
          maxConnections: 10,
        });
      });
    } finally {
      client.destroy();
    }
  }

  async quiesce(): Promise<void> {
    const activity = () => {
      const { dynamo, posts } = this.probe.snapshot();
      const calls = Object.values(dynamo).reduce((sum, operation) => sum + operation.calls, 0);
      return `${calls}/${posts}/${this.runtime.streamPoller.stats.batches}`;
    };
    // Quiet for a few poll intervals: nothing left in the stream and no function running.
    let before: string;
    do {
      before = activity();
      await this.runtime.functions.drain();
      await sleep(this.runtime.streamPollIntervalMs * 4 + 50);
      await this.runtime.functions.drain();
    } while (before !== activity());
  }
}
