import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ExtraHandler } from '../../local/http-gateway.ts';
import { staticAssets } from '../../local/static-assets.ts';

const demoFile = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/**
 * Bundles the demo page once and returns a request handler for `/demo/`, `/demo/app.js` and
 * `/demo/style.css`; it answers false for any other request so the gateway can route it on.
 */
export async function createDemoHandler(options: { httpUrl: string; wsUrl: string }): Promise<ExtraHandler> {
  const [bundle, html, css] = await Promise.all([
    build({
      entryPoints: [demoFile('app.ts')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      // `@serverless-chat/client` resolves to its TypeScript source (the package's `source` export), so the
      // demo needs no build of the SDK first.
      conditions: ['source'],
      write: false,
    }),
    readFile(demoFile('index.html'), 'utf8'),
    readFile(demoFile('style.css'), 'utf8'),
  ]);
  const script = bundle.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no bundle for the demo');
  // `<` escaped so that no value can close the script element.
  const config = JSON.stringify({ httpUrl: options.httpUrl, wsUrl: options.wsUrl }).replaceAll(
    '<',
    '\\u003c',
  );
  return staticAssets('/demo/', {
    '': {
      contentType: 'text/html; charset=utf-8',
      body: html.replace('<!-- chat-config -->', `<script>window.CHAT_CONFIG = ${config};</script>`),
    },
    'app.js': { contentType: 'text/javascript; charset=utf-8', body: script },
    'style.css': { contentType: 'text/css; charset=utf-8', body: css },
  });
}
