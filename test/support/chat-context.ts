/** A use-case context on a fresh DynamoDB Local table, with a clock the test controls. */
import { inject } from 'vitest';
import type { ChatSettings } from '../../shared/config.ts';
import type { ChatContext } from '../../shared/domain/context.ts';
import { buildChatContext } from '../../shared/handlers/composition-root.ts';
import { createTestTable } from './dynamo.ts';

export interface TestChat {
  ctx: ChatContext;
  /** Moves the context's clock. */
  advance(ms: number): void;
}

/**
 * By default `@connections` is the run's local endpoint, where unknown connection ids answer 410 like API
 * Gateway's; a test may give another.
 */
export async function createTestChat(
  options: { connectionsEndpoint?: string; settings?: Partial<ChatSettings> } = {},
): Promise<TestChat> {
  let now = Date.now();
  const ctx = buildChatContext({
    table: await createTestTable(),
    connectionsEndpoint: options.connectionsEndpoint ?? inject('local').connectionsEndpoint,
    clock: () => now,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  return { ctx, advance: (ms) => (now += ms) };
}
