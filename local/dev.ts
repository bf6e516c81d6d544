/** `npm run dev`: runs the whole chat backend locally, with the demo page, until Ctrl-C. */
import { createDemoHandler } from '../client/demo/serve.ts';
import { startLocalRuntime } from './runtime.ts';

const runtime = await startLocalRuntime({
  ...(process.env.CHAT_DATA_DIR ? { dataDir: process.env.CHAT_DATA_DIR } : {}),
  extraHttpHandlers: async (urls) => [await createDemoHandler(urls)],
});

console.log(
  `Chat backend ready: HTTP ${runtime.httpUrl}  WebSocket ${runtime.wsUrl}  demo ${runtime.httpUrl}/demo/  ` +
    '(tokens: npm run token -- <userId>; Ctrl-C stops)',
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
