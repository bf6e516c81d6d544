/** `npm run dev`: runs the whole chat backend locally, with the demo page, until Ctrl-C. */
import { createDemoHandler } from '../client/demo/serve.ts';
import { verifierConfigFromEnv } from '../shared/auth/token-verifier.ts';
import { startLocalRuntime } from './runtime.ts';

// Your own issuer (e.g. the deployed stack's Cognito pool) instead of the local one.
const trustedIssuer = process.env.JWT_ISSUER;
// An AWS-like wait between a write and its stream fan-out (about 200 ms there); none by default.
const streamDelayMs = Number(process.env.STREAM_DELAY_MS ?? 0);
if (!Number.isInteger(streamDelayMs) || streamDelayMs < 0 || streamDelayMs > 60_000) {
  throw new Error(
    `STREAM_DELAY_MS must be a whole number of milliseconds, 0–60000 (got ${process.env.STREAM_DELAY_MS})`,
  );
}
const runtime = await startLocalRuntime({
  ...(process.env.CHAT_DATA_DIR ? { dataDir: process.env.CHAT_DATA_DIR } : {}),
  streamDelayMs,
  ...(trustedIssuer ? { identity: verifierConfigFromEnv() } : {}),
  extraHttpHandlers: async (urls) => [await createDemoHandler(urls)],
});

console.log(
  `Chat backend ready: HTTP ${runtime.httpUrl}  WebSocket ${runtime.wsUrl}  demo ${runtime.httpUrl}/demo/  API docs ${runtime.httpUrl}/docs/  ` +
    // With the hot state on Valkey, both stores are named: what lives where can be looked at directly.
    (runtime.valkeyUrl
      ? `hot state on Valkey ${runtime.valkeyUrl}  DynamoDB ${runtime.dynamoDbEndpoint}  `
      : '') +
    `(tokens: ${trustedIssuer ? `from ${trustedIssuer}` : 'npm run token -- <userId>'}; Ctrl-C stops)`,
);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await runtime.stop();
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
