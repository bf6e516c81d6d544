/**
 * Starts one local runtime for the run and hands its addresses to the tests. With `CHAT_TARGET=deployed` only
 * the end-to-end tests run, against a deployed stack (see `test/support/deployed-target.ts`), and nothing starts.
 */
import type { TestProject } from 'vitest/node';
import { createDemoHandler } from '../../client/demo/serve.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import { startValkeyServer } from '../../local/valkey-server.ts';
import { raiseSharedRuntimeRateLimits } from './shared-runtime-limits.ts';

export interface LocalTarget {
  httpUrl: string;
  wsUrl: string;
  /** The runtime's `@connections` endpoint (its path holds the run's secret), for tests that build a context. */
  connectionsEndpoint: string;
  dynamoDbEndpoint: string;
  tableName: string;
  /** The run's Valkey server, for the hot-state adapters' tests (see `test/support/valkey.ts`). */
  valkeyUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    local: LocalTarget;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.CHAT_TARGET === 'deployed') return;
  raiseSharedRuntimeRateLimits();
  const valkey = await startValkeyServer();
  const runtime = await startLocalRuntime({
    httpPort: 0,
    wsPort: 0,
    streamPollIntervalMs: 20,
    // The demo page, as `npm run dev` serves it, for the browser test.
    extraHttpHandlers: async (urls) => [await createDemoHandler(urls)],
  });
  project.provide('local', {
    httpUrl: runtime.httpUrl,
    wsUrl: runtime.wsUrl,
    connectionsEndpoint: runtime.connectionsEndpoint,
    dynamoDbEndpoint: runtime.dynamoDbEndpoint,
    tableName: runtime.tableName,
    valkeyUrl: valkey.url,
  });
  return async () => {
    await runtime.stop();
    await valkey.stop();
  };
}
