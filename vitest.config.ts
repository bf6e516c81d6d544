import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One local runtime (DynamoDB Local, gateways, stream poller) for the whole run, or a deployed target.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-matchers.ts', 'test/support/setup-test-users.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more workers only contend with DynamoDB Local and the runtime.
    maxWorkers: 2,
  },
});
