import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config.ts';
import { overRateLimit } from '../../../shared/handlers/chain.ts';
import { httpRoutes } from '../../../shared/shape/http-routes.ts';
import { rateBuckets, webSocketRoutes } from '../../../shared/shape/routes.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

const editRoute = 'PATCH /conversations/{conversationId}/messages/{messageId}';
const httpSend = 'POST /conversations/{conversationId}/messages';

describe('the per-user limit of each route', () => {
  it('declares one for every route that writes or posts, and none for the lifecycle', () => {
    const routes = [
      ...webSocketRoutes.map((r) => ({ key: r.routeKey, route: r })),
      ...httpRoutes.map((r) => ({ key: `${r.method} ${r.path}`, route: r })),
    ];
    const writesOrPosts = ({ access }: (typeof routes)[number]['route']) =>
      access.connections || Object.values(access.table).some((use) => use !== 'read');

    const unlimited = routes
      .filter(({ key, route }) => !['$connect', '$disconnect'].includes(key) && writesOrPosts(route))
      .filter(({ route }) => route.rateLimit === undefined)
      .map(({ key }) => key);

    expect(unlimited).toEqual([]);
    expect(Object.fromEntries(routes.map(({ key, route }) => [key, route.rateLimit]))).toMatchObject({
      $connect: undefined,
      $disconnect: undefined,
      $default: 'unknownFrame',
      sendMessage: 'send',
      typing: 'typing',
      markRead: 'markRead',
      heartbeat: 'heartbeat',
      'POST /conversations': 'createConversation',
      'GET /conversations': undefined,
      'POST /conversations/{conversationId}/members': 'memberChange',
      'DELETE /conversations/{conversationId}/members/{userId}': 'memberChange',
      'GET /conversations/{conversationId}/messages': undefined,
      'POST /conversations/{conversationId}/messages': 'send',
      'PATCH /conversations/{conversationId}/messages/{messageId}': 'edit',
      'DELETE /conversations/{conversationId}/messages/{messageId}': 'delete',
      'POST /conversations/{conversationId}/read': 'markRead',
      'GET /unread': undefined,
      'GET /presence': 'presenceQuery',
    });
  });

  it('has a default rate for every bucket, generous for a person', () => {
    const perMinute = Object.fromEntries(
      Object.entries(rateBuckets).map(([bucket, { perMinute }]) => [bucket, defaultSettings[perMinute]]),
    );

    expect(Object.values(perMinute).every((rate) => rate >= 10)).toBe(true);
    expect(perMinute).toMatchObject({
      send: 120,
      edit: 60,
      delete: 60,
      createConversation: 30,
      memberChange: 60,
      markRead: 240,
      presenceQuery: 120,
      heartbeat: 20,
      unknownFrame: 30,
      typing: 120,
    });
  });

  it('refuses past the limit with rate_limited (429), says it was told before, and lets the next minute through', async () => {
    const chat = inMemoryChat({ settings: { editRatePerMinute: 2 } });
    const edit = () => overRateLimit(chat.ctx, editRoute, 'alice');

    const answers = [await edit(), await edit(), await edit(), await edit()];
    chat.clock.advance(60_000);
    const nextMinute = await edit();

    expect(answers.slice(0, 2)).toEqual([undefined, undefined]);
    expect(answers[2]?.error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      message: 'Too many edits; slow down',
    });
    expect(answers.slice(2).map((a) => a?.toldBefore)).toEqual([false, true]);
    expect(nextMinute).toBeUndefined();
  });

  it('counts sends over HTTP and WebSocket in one bucket', async () => {
    const chat = inMemoryChat({ settings: { sendRatePerMinute: 2 } });

    await overRateLimit(chat.ctx, httpSend, 'alice');
    await overRateLimit(chat.ctx, 'sendMessage', 'alice');
    const third = await overRateLimit(chat.ctx, httpSend, 'alice');

    expect(third?.error.message).toBe('Too many messages; slow down');
  });

  it("limits each user on their own, and each bucket on its own: one user's flood limits no one else", async () => {
    const chat = inMemoryChat({ settings: { editRatePerMinute: 1 } });
    await overRateLimit(chat.ctx, editRoute, 'alice');

    expect(await overRateLimit(chat.ctx, editRoute, 'bob')).toBeUndefined();
    expect(await overRateLimit(chat.ctx, httpSend, 'alice')).toBeUndefined();
    expect(await overRateLimit(chat.ctx, editRoute, 'alice')).toBeDefined();
  });

  it('never limits a route that declares no limit', async () => {
    const chat = inMemoryChat({ settings: { editRatePerMinute: 0 } });

    for (let i = 0; i < 500; i++) {
      expect(await overRateLimit(chat.ctx, 'GET /conversations', 'alice')).toBeUndefined();
    }
  });
});
