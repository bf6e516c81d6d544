/**
 * A client of the run's Valkey server (started by the global setup) for each test file, with its own key prefix:
 * files share the server, never a key. The file disconnects it when done.
 */
import { Valkey } from 'iovalkey';
import { inject } from 'vitest';

export function createTestValkey(): Valkey {
  return new Valkey(inject('local').valkeyUrl, {
    keyPrefix: `test-${Math.random().toString(36).slice(2, 10)}:`,
  });
}
