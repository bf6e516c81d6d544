/** `npm run dev`: runs the whole chat backend locally, with the demo page, until Ctrl-C. */
import { createDemoHandler } from '../client/demo/serve.ts';
import { verifierConfigFromEnv } from '../shared/auth/token-verifier.ts';
import { startLocalRuntime } from './runtime.ts';

// Your own issuer (e.g. the deployed stack's Cognito pool) instead of the local one.
const trustedIssuer = process.env.JWT_ISSUER;
const runtime = await startLocalRuntime({
  ...(process.env.CHAT_DATA_DIR ? { dataDir: process.env.CHAT_DATA_DIR } : {}),
  ...(trustedIssuer ? { identity: verifierConfigFromEnv() } : {}),
  extraHttpHandlers: async (urls) => [await createDemoHandler(urls)],
});

console.log(
  `Chat backend ready: HTTP ${runtime.httpUrl}  WebSocket ${runtime.wsUrl}  demo ${runtime.httpUrl}/demo/  API docs ${runtime.httpUrl}/docs/  ` +
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
