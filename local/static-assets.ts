/** Serves a few in-memory files under one folder path (the demo page, the API descriptions). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraHandler } from './http-gateway.ts';

export interface StaticAsset {
  contentType: string;
  body: string;
}

/**
 * A handler for `folder` (e.g. `/demo/`) and its files, by path below it; `folder` without its slash redirects
 * there, since pages load their files relative to it. Answers false for any other request.
 */
export function staticAssets(folder: string, files: Record<string, StaticAsset>): ExtraHandler {
  const assets = new Map(Object.entries(files).map(([name, asset]) => [`${folder}${name}`, asset]));
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === folder.slice(0, -1)) {
      res.writeHead(301, { location: folder }).end();
      return true;
    }
    const asset = path === undefined ? undefined : assets.get(path);
    if (!asset) return false;
    res.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
