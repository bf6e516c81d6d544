/** The API description files as `npm run docs:api` writes them: path → text. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './http.ts';
import { sortKeys } from './json-schema.ts';
import { asyncApiDocument } from './websocket.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const biome = `${root}node_modules/.bin/biome`;

/** Sorted keys, laid out as Biome formats JSON (the repository's formatter, pinned), so `npm run lint` agrees. */
function text(path: string, document: unknown): string {
  return execFileSync(biome, ['format', `--stdin-file-path=${path}`], {
    cwd: root,
    input: JSON.stringify(sortKeys(document)),
    encoding: 'utf8',
  });
}

export function apiDescriptionFiles(): Record<string, string> {
  return {
    'docs/openapi.json': text('docs/openapi.json', openApiDocument()),
    'docs/asyncapi.json': text('docs/asyncapi.json', asyncApiDocument()),
  };
}
