/** The local runtime serves the API descriptions it was built with: the two files as committed, and a page. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { httpRoutes } from '../../shared/shape/http-routes.ts';
import { target } from '../support/target.ts';

const committed = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), 'utf8');

describe.skipIf(process.env.CHAT_TARGET === 'deployed')('the API descriptions on the local runtime', () => {
  it.each(['openapi.json', 'asyncapi.json'])(
    'GET /docs/%s answers the committed file as JSON',
    async (name) => {
      const answer = await fetch(`${target().httpUrl}/docs/${name}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await answer.text()).toBe(committed(name));
    },
  );

  it('GET /docs/ is an HTML page listing every route, action and event, linking both files', async () => {
    const answer = await fetch(`${target().httpUrl}/docs/`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await answer.text();
    expect(page).toContain('href="openapi.json"');
    expect(page).toContain('href="asyncapi.json"');
    for (const route of httpRoutes) expect(page).toContain(`<code>${route.method} ${route.path}</code>`);
    for (const name of [
      'sendMessage',
      'typing',
      'markRead',
      'heartbeat',
      'message.ack',
      'conversation.updated',
    ]) {
      expect(page).toContain(`<code>${name}</code>`);
    }
  });

  it('GET /docs redirects to /docs/, and no token is needed for any of it', async () => {
    const answer = await fetch(`${target().httpUrl}/docs`, { redirect: 'manual' });
    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe('/docs/');
  });
});
