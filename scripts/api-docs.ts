/**
 * `npm run docs:api`: writes docs/openapi.json (HTTP API, OpenAPI 3.1) and docs/asyncapi.json (WebSocket API,
 * AsyncAPI 3) from the route table, the input schemas and the wire types. test/infra/api-docs.test.ts fails when
 * the committed files differ from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiDescriptionFiles } from './api-docs/generate.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, text] of Object.entries(apiDescriptionFiles())) {
  writeFileSync(`${root}${path}`, text);
  console.log(`wrote ${path}`);
}
