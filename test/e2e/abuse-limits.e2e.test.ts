/**
 * Volume, as an abuser would try it, through the public protocol: floods of edits, conversations, heartbeats and
 * garbage frames meet `rate_limited`, and a user's sockets past the cap close the oldest. It runs its own
 * `npm run dev` with low per-minute limits (the environment variables the stack sets), so it takes seconds.
 *
 * The limits count per clock minute. A flood of 2 × limit + 1 requests spread over two minutes still puts more
 * than the limit into one of them, so each flood below is refused somewhere whenever the minute turns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DevRun, devRunTarget, killDevRun, spawnDevRun } from '../support/dev-process.ts';
import { api, type ChatSocket, socketPool, type Target } from '../support/target.ts';

const limit = 3;
const flood = 2 * limit + 1;
const local = process.env.CHAT_TARGET !== 'deployed';

let run: DevRun;
let t: Target;
const sockets = () => socketPool(t);
let pool: ReturnType<typeof sockets>;

beforeAll(async () => {
  if (!local) return;
  run = await spawnDevRun({
    SEND_RATE_PER_MINUTE: String(limit),
    EDIT_RATE_PER_MINUTE: String(limit),
    CONVERSATION_RATE_PER_MINUTE: String(limit),
    HEARTBEAT_RATE_PER_MINUTE: String(limit),
    UNKNOWN_FRAME_RATE_PER_MINUTE: String(limit),
    MAX_CONNECTIONS_PER_USER: '10',
  }).ready;
  t = devRunTarget(run);
  pool = sockets();
}, 120_000);

afterAll(async () => {
  await pool?.closeAll();
  if (run) await killDevRun(run.child);
});

const isRateLimited = (e: Record<string, unknown>) => e.type === 'error' && e.code === 'rate_limited';

describe.skipIf(!local)('per-user limits', () => {
  it('answers an edit flood with 429 rate_limited, and the edits past it change nothing', async () => {
    const [ada, bob] = await t.newUsers('ada', 'bob');
    const group = await api(t, ada, 'POST', '/conversations', { type: 'group', name: 'g', memberIds: [bob] });
    const path = `/conversations/${group.body.conversationId}/messages`;
    const sent = await api(t, ada, 'POST', path, { clientMessageId: 'm1', body: 'v0' });

    const answers = [];
    for (let i = 1; i <= flood; i++) {
      answers.push(await api(t, ada, 'PATCH', `${path}/${sent.body.messageId}`, { body: `v${i}` }));
    }

    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body).toEqual({
      error: { code: 'rate_limited', message: 'Too many edits; slow down' },
    });
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(2 * limit);
    const last = answers.findLast((a) => a.status === 200);
    const history = await api(t, bob, 'GET', `${path}?limit=1`);
    expect(history.body.items[0].body).toBe(last?.body.body);
  });

  it('answers a conversation-creation flood with HTTP 429 rate_limited, and the victim’s inbox stays small', async () => {
    const [spammer, victim] = await t.newUsers('spammer', 'victim');

    const statuses = [];
    for (let i = 0; i < flood; i++) {
      const answer = await api(t, spammer, 'POST', '/conversations', {
        type: 'group',
        name: `spam ${i}`,
        memberIds: [victim],
      });
      statuses.push(answer.status);
      if (answer.status === 429) expect(answer.body.error.code).toBe('rate_limited');
    }

    expect(statuses).toContain(429);
    const inbox = await api(t, victim, 'GET', '/conversations?limit=100');
    expect(inbox.body.items.length).toBe(statuses.filter((s) => s === 201).length);
    expect(inbox.body.items.length).toBeLessThanOrEqual(2 * limit);
  });

  it('answers every refused send of a flood with an error naming its clientMessageId, so the client can fail it', async () => {
    const [fast, peer] = await t.newUsers('fast', 'peer');
    const direct = await api(t, fast, 'POST', '/conversations', { type: 'direct', memberIds: [peer] });
    const socket = await pool.open(fast);
    const ids = Array.from({ length: flood }, (_, i) => `send-${i}`);

    const answers = await socket.sendEach(direct.body.conversationId, ids);
    const refused = answers.filter(isRateLimited);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]).toMatchObject({ action: 'sendMessage', message: 'Too many messages; slow down' });
    expect(answers.filter((a) => a.type === 'message.ack').length).toBeLessThanOrEqual(2 * limit);
  });

  it('answers a heartbeat flood with an error rate_limited naming heartbeat, once a minute', async () => {
    const [hasty] = await t.newUsers('hasty');
    const socket = await pool.open(hasty);

    for (let i = 0; i < flood + 5; i++) socket.send({ action: 'heartbeat', reply: true });

    expect(await socket.waitFor(isRateLimited)).toMatchObject({ action: 'heartbeat' });
    await expect.poll(() => socket.events.length).toBeGreaterThanOrEqual(limit + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.ofType('pong').length).toBeLessThanOrEqual(2 * limit);
    // One refusal is told (two when the minute turned); the other refused heartbeats are dropped.
    expect(socket.events.filter(isRateLimited).length).toBeLessThanOrEqual(2);
  });

  it('answers garbage frames, then rate_limited once, then nothing, and the socket and runtime live on', async () => {
    const [noisy, other] = await t.newUsers('noisy', 'other');
    const socket = await pool.open(noisy);
    const garbage = ['not json', '{"action":"launchMissiles"}', '[1,2,3]', '{"action":{"deep":[[[]]]}}', '{'];

    for (let i = 0; i < 30; i++) socket.send(garbage[i % garbage.length] as string);

    await socket.waitFor(isRateLimited);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const errors = socket.ofType('error');
    expect(errors.length).toBeLessThanOrEqual(2 * limit + 2);
    expect(errors.filter((e) => e.code !== 'rate_limited').map((e) => e.code)).toEqual(
      expect.arrayContaining(['validation_failed']),
    );
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    expect(run.child.exitCode).toBeNull();
    // Another user is not limited by the noise.
    const bystander = await pool.open(other);
    bystander.send({ action: 'heartbeat', reply: true });
    await bystander.waitFor((e) => e.type === 'pong');
  });
});

describe.skipIf(!local)('at most 10 connections per user', () => {
  it('closes the 2 oldest of 12 sockets (rate_limited first), and a message reaches exactly the 10 live ones', async () => {
    const [many, friend] = await t.newUsers('many', 'friend');
    const opened: ChatSocket[] = [];
    for (let i = 0; i < 12; i++) opened.push(await pool.open(many));
    const closedOnes = opened.slice(0, 2);
    const liveOnes = opened.slice(2);

    for (const socket of closedOnes) {
      await expect.poll(() => socket.socket.readyState).toBe(WebSocket.CLOSED);
      expect(socket.events.filter(isRateLimited)).toHaveLength(1);
    }
    expect(liveOnes.every((s) => s.socket.readyState === WebSocket.OPEN)).toBe(true);

    const direct = await api(t, friend, 'POST', '/conversations', { type: 'direct', memberIds: [many] });
    await api(t, friend, 'POST', `/conversations/${direct.body.conversationId}/messages`, {
      clientMessageId: 'hello',
      body: 'to all your devices',
    });

    const isHello = (e: Record<string, unknown>) =>
      e.type === 'message.new' && (e.message as { body?: string }).body === 'to all your devices';
    await Promise.all(liveOnes.map((socket) => socket.waitFor(isHello)));
    expect(closedOnes.map((s) => s.events.filter(isHello).length)).toEqual([0, 0]);
  });
});
