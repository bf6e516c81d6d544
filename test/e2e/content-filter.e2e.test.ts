/**
 * The content filter through the public protocol, on a run of its own (`npm run dev` with
 * `CONTENT_FILTER_WORDS`, the variable the stack sets): a listed word is refused `content_rejected` over the
 * WebSocket (naming the send's clientMessageId) and over HTTP, nothing of it is stored or delivered, and an edit
 * cannot bring one in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevRun, devRunTarget, killDevRun, spawnDevRun } from '../support/dev-process.ts';
import { api, eventually, socketPool, type Target } from '../support/target.ts';

const local = process.env.CHAT_TARGET !== 'deployed';
const refusal = { code: 'content_rejected', message: 'This message was refused by the content filter' };

let run: DevRun;
let t: Target;
let pool: ReturnType<typeof socketPool>;

beforeAll(async () => {
  if (!local) return;
  run = await spawnDevRun({ CONTENT_FILTER_WORDS: 'spam, buy now' }).ready;
  t = devRunTarget(run);
  pool = socketPool(t);
}, 120_000);

afterAll(async () => {
  await pool?.closeAll();
  if (run) await killDevRun(run.child);
});

/** A group of ada and bob; bob's socket is open and listening. */
async function group() {
  const [ada, bob] = await t.newUsers('ada', 'bob');
  const created = await api(t, ada, 'POST', '/conversations', { type: 'group', name: 'g', memberIds: [bob] });
  const conversationId = created.body.conversationId as string;
  const path = `/conversations/${conversationId}/messages`;
  return { ada, bob, conversationId, path, bobSocket: await pool.open(bob) };
}

describe.skipIf(!local)('the content filter', () => {
  it('refuses a WebSocket send with a listed word, naming its clientMessageId; nothing is stored or delivered', async () => {
    const { ada, bob, conversationId, path, bobSocket } = await group();
    const adaSocket = await pool.open(ada);

    adaSocket.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'bad-1',
      body: 'Cheap Spâm here',
    });
    const error = await adaSocket.waitFor((e) => e.type === 'error');

    expect(error).toEqual({ type: 'error', ...refusal, clientMessageId: 'bad-1', action: 'sendMessage' });
    // A clean send after it is acked as the conversation's first message and reaches bob.
    adaSocket.send({ action: 'sendMessage', conversationId, clientMessageId: 'ok-1', body: 'hello' });
    const ack = await adaSocket.waitFor((e) => e.type === 'message.ack');
    expect(ack).toMatchObject({ clientMessageId: 'ok-1', message: { seq: 1, body: 'hello' } });
    await bobSocket.waitFor((e) => e.type === 'message.new');
    expect(bobSocket.ofType('message.new').map((e) => (e.message as { body: string }).body)).toEqual([
      'hello',
    ]);
    // Stored once delivered (the ack comes first): history has it a moment later.
    await eventually(async () => {
      const history = await api(t, bob, 'GET', `${path}?limit=10`);
      expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(['hello']);
    });
  });

  it('answers an HTTP send with a listed phrase 400 content_rejected', async () => {
    const { ada, bob, path } = await group();

    const answer = await api(t, ada, 'POST', path, { clientMessageId: 'bad-2', body: 'BUY   now!' });

    expect(answer).toEqual({ status: 400, body: { error: refusal } });
    expect((await api(t, bob, 'GET', `${path}?limit=10`)).body.items).toEqual([]);
    // Phrases and words match whole: a near miss goes through.
    const fine = await api(t, ada, 'POST', path, { clientMessageId: 'ok-2', body: 'buy it now, spammer' });
    expect(fine.status).toBe(201);
  });

  it('refuses an edit to a listed word: the message keeps its text', async () => {
    const { ada, bob, path, bobSocket } = await group();
    const sent = await api(t, ada, 'POST', path, { clientMessageId: 'm1', body: 'see you at noon' });
    await bobSocket.waitFor((e) => e.type === 'message.new');

    const edit = await api(t, ada, 'PATCH', `${path}/${sent.body.messageId}`, { body: 'spam spam spam' });

    expect(edit).toEqual({ status: 400, body: { error: refusal } });
    const history = await api(t, bob, 'GET', `${path}?limit=10`);
    expect(history.body.items).toMatchObject([{ body: 'see you at noon' }]);
    expect(history.body.items[0].editedAt).toBeUndefined();
  });
});
