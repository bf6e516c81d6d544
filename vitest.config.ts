import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** What every lane shares: the aws-sdk-client-mock matchers and generous limits for slow set-ups. */
const lane = (name: string, include: string[], extra: TestProjectInlineConfiguration['test'] = {}) => ({
  test: {
    name,
    include,
    setupFiles: ['test/support/setup-matchers.ts'],
    // The local runtime sets this for Powertools (local/lambda.ts); workers forked after it must not inherit it,
    // or Powertools in a test process looks for a Lambda invoke store that is not there.
    env: { AWS_LAMBDA_MAX_CONCURRENCY: '' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    // Three lanes: `unit` needs nothing (no Java, no sockets), `infra` synthesizes and lints the stack,
    // `local` starts one local runtime (DynamoDB Local, gateways, stream poller) and a Valkey server for
    // integration, contract (each hot-state port on both backends) and e2e tests.
    projects: [
      lane('unit', ['test/unit/**/*.test.ts']),
      lane('infra', ['test/infra/**/*.test.ts']),
      lane(
        'local',
        ['test/integration/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/e2e/**/*.test.ts'],
        {
          // The local runtime, or nothing with CHAT_TARGET=deployed (see test/support/global-setup.ts).
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup-matchers.ts', 'test/support/setup-test-users.ts'],
        },
      ),
    ],
    // Two cores: more workers only contend with DynamoDB Local and the runtime.
    maxWorkers: 2,
    coverage: { provider: 'v8', include: ['shared/**'], reporter: ['text-summary'] },
  },
});
