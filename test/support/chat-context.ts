/** A use-case context on a fresh DynamoDB Local table, with a clock the test controls. */
import { inject } from 'vitest';
import type { ChatContext } from '../../shared/domain/context.ts';
import { buildChatContext } from '../../shared/handlers/context.ts';
import { createTestTable } from './dynamo.ts';

export interface TestChat {
  ctx: ChatContext;
  /** Moves the context's clock. */
  advance(ms: number): void;
}

export async function createTestChat(): Promise<TestChat> {
  let now = Date.now();
  const { wsUrl } = inject('local');
  const ctx = buildChatContext({
    table: await createTestTable(),
    // The run's local @connections endpoint: unknown connection ids answer 410, like API Gateway.
    connectionsEndpoint: wsUrl.replace(/^ws:/, 'http:'),
    clock: () => now,
  });
  return { ctx, advance: (ms) => (now += ms) };
}
