/**
 * A client of the run's Valkey server (started by the global setup, in cluster mode as ElastiCache Serverless is)
 * for each test file, with its own key prefix: files share the server, never a key. The file disconnects it when
 * done.
 */
import { Cluster } from 'iovalkey';
import { inject } from 'vitest';
import type { HotStateClient } from '../../shared/hot-state/valkey-client.ts';

export function createTestValkey(): HotStateClient {
  return new Cluster([inject('local').valkeyUrl], {
    keyPrefix: `test-${Math.random().toString(36).slice(2, 10)}:`,
  });
}
