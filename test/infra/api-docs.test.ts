/**
 * The API descriptions in docs/ are what `npm run docs:api` writes from the code now, and valid: OpenAPI 3.1 by
 * openapi-spec-validator, AsyncAPI 3 by @asyncapi/parser. Every route, action and event of the code is in them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { apiDescriptionFiles } from '../../scripts/api-docs/generate.ts';
import { serverEvents } from '../../scripts/api-docs/wire.ts';
import type { ServerEvent } from '../../shared/domain/model.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import { webSocketRoutes } from '../../shared/shape/routes.ts';
import { requireAwsTool } from '../support/aws-tools.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const committed = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const openApi = () => JSON.parse(committed('docs/openapi.json'));
const asyncApi = () => JSON.parse(committed('docs/asyncapi.json'));

const actions = webSocketRoutes
  .map((route) => route.routeKey)
  .filter((key) => !['$connect', '$disconnect', '$default'].includes(key));
/** Spelled out here as well, so an event added to the model but not to the descriptions fails below. */
const eventTypes: Record<ServerEvent['type'], true> = {
  'message.ack': true,
  'message.new': true,
  'message.updated': true,
  'message.reactions': true,
  'message.deleted': true,
  typing: true,
  presence: true,
  read: true,
  unread: true,
  'conversation.updated': true,
  pong: true,
  error: true,
};
const errorCodes: Record<ErrorCode, true> = {
  unauthorized: true,
  forbidden: true,
  not_member: true,
  not_found: true,
  validation_failed: true,
  payload_too_large: true,
  rate_limited: true,
  conflict: true,
  suspended: true,
  content_rejected: true,
  internal: true,
};

describe('the API descriptions', () => {
  it('are committed as the generator writes them now (run npm run docs:api after a schema change)', () => {
    for (const [path, text] of Object.entries(apiDescriptionFiles())) {
      expect(committed(path), `${path} is stale: run npm run docs:api`).toBe(text);
    }
  });

  it('docs/openapi.json is valid OpenAPI 3.1 (openapi-spec-validator)', async (ctx) => {
    requireAwsTool(ctx, 'openapi-spec-validator');
    const { stdout } = await run('openapi-spec-validator', ['docs/openapi.json'], { cwd: root });
    expect(stdout).toContain('OK');
    expect(openApi().openapi).toMatch(/^3\.1\./);
  });

  it('docs/asyncapi.json is a valid AsyncAPI 3 document with no diagnostics (@asyncapi/parser)', async () => {
    const { document, diagnostics } = await new Parser().parse(committed('docs/asyncapi.json'));
    expect(diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document?.version()).toMatch(/^3\./);
  });

  it('describe every HTTP route, with bearer JWT security, the error envelope and every error code', () => {
    const doc = openApi();
    for (const route of httpRoutes) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      for (const name of route.path.matchAll(/\{(\w+)\}/g)) {
        expect(operation.parameters).toContainEqual(expect.objectContaining({ in: 'path', name: name[1] }));
      }
      expect(operation.responses['401'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/GatewayMessage',
      );
    }
    expect(Object.values(doc.paths).flatMap((methods) => Object.keys(methods as object))).toHaveLength(
      httpRoutes.length,
    );
    expect(doc.security).toEqual([{ bearerJwt: [] }]);
    expect(doc.components.securitySchemes.bearerJwt).toMatchObject({ scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(
      Object.keys(errorCodes).sort(),
    );
    expect(doc.info.description).toContain('{"message":"Unauthorized"}');
    expect(doc.info.description).toContain('{"message":"Not Found"}');
  });

  it('describe every WebSocket action and server event, the error codes and both ways to give the token', () => {
    const doc = asyncApi();
    for (const action of actions) {
      expect(doc.operations[`send.${action}`]?.action, action).toBe('send');
      expect(doc.components.messages[`action.${action}`].payload.properties.action.const).toBe(action);
    }
    expect(Object.keys(eventTypes).sort()).toEqual(Object.keys(serverEvents).sort());
    for (const type of Object.keys(eventTypes)) {
      expect(doc.operations[`receive.${type}`]?.action, type).toBe('receive');
      expect(doc.components.messages[`event.${type}`].name).toBe(type);
    }
    expect(doc.components.schemas.ErrorEvent.properties.code.enum.sort()).toEqual(
      Object.keys(errorCodes).sort(),
    );
    expect(doc.components.securitySchemes.queryToken).toMatchObject({ in: 'query', name: 'token' });
    expect(doc.components.securitySchemes.subprotocolToken).toMatchObject({
      in: 'header',
      name: 'Sec-WebSocket-Protocol',
    });
  });
});
