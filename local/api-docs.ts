/**
 * The API descriptions on the local HTTP port: `/docs/openapi.json`, `/docs/asyncapi.json` (the files
 * `npm run docs:api` writes to docs/) and a plain page at `/docs/` listing the routes, actions and events.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ExtraHandler } from './http-gateway.ts';
import { staticAssets } from './static-assets.ts';

const docsFile = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface OpenApi {
  info: { title: string };
  paths: Record<string, Record<string, { summary?: string }>>;
}
interface AsyncApi {
  info: { title: string };
  operations: Record<string, { action: 'send' | 'receive'; summary?: string }>;
}

function page(openApi: OpenApi, asyncApi: AsyncApi): string {
  const routes = Object.entries(openApi.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]) =>
        `<li><code>${method.toUpperCase()} ${html(path)}</code> ${html(op.summary ?? '')}</li>`,
    ),
  );
  const operations = (action: 'send' | 'receive') =>
    Object.entries(asyncApi.operations)
      .filter(([, op]) => op.action === action)
      .map(
        ([id, op]) =>
          `<li><code>${html(id.replace(/^(send|receive)\./, ''))}</code> ${html(op.summary ?? '')}</li>`,
      );
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Chat API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code{font-size:.9em}li{margin:.25rem 0}</style>
</head>
<body>
<h1>Chat API</h1>
<p>Machine-readable descriptions: <a href="openapi.json">openapi.json</a> (${html(openApi.info.title)}, OpenAPI 3.1)
and <a href="asyncapi.json">asyncapi.json</a> (${html(asyncApi.info.title)}, AsyncAPI 3). The reference for humans is
docs/protocol.md in the repository.</p>
<h2>HTTP routes</h2>
<ul>
${routes.join('\n')}
</ul>
<h2>WebSocket actions (client → server)</h2>
<ul>
${operations('send').join('\n')}
</ul>
<h2>WebSocket events (server → client)</h2>
<ul>
${operations('receive').join('\n')}
</ul>
</body>
</html>
`;
}

/** Reads the committed descriptions once; answers false for any other request so the gateway routes it on. */
export async function createApiDocsHandler(): Promise<ExtraHandler> {
  const [openApiText, asyncApiText] = await Promise.all([
    readFile(docsFile('openapi.json'), 'utf8'),
    readFile(docsFile('asyncapi.json'), 'utf8'),
  ]);
  const json = 'application/json; charset=utf-8';
  return staticAssets('/docs/', {
    '': {
      contentType: 'text/html; charset=utf-8',
      body: page(JSON.parse(openApiText), JSON.parse(asyncApiText)),
    },
    'openapi.json': { contentType: json, body: openApiText },
    'asyncapi.json': { contentType: json, body: asyncApiText },
  });
}
