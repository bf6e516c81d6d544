/**
 * Hostile input: hundreds of generated bad WebSocket frames and HTTP requests against the runtime. Every answer
 * must be a well-formed protocol error (never `internal`, never internals), sockets stay open, nobody else's
 * data changes or leaks, and normal traffic still flows afterwards. Generated from a seed: set HOSTILE_SEED
 * to reproduce a failure printed with its seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../support/random.ts';
import { api, ChatSocket, target } from '../support/target.ts';

const t = target();
const seed = Number(process.env.HOSTILE_SEED ?? 0x5eed2026);

type Json = Record<string, unknown>;
type Event = Record<string, unknown>;

const random = mulberry32(seed);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

/** Text edge cases: RTL and bidi overrides, zero-width, combining, emoji (pairs), CJK, controls, JSON syntax. */
const nastyPieces = [
  'a',
  'Z',
  '0',
  ' ',
  '\u202e',
  '\u200f',
  'שלום',
  'مرحبا',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  'e\u0301',
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '中文',
  '\u0000',
  '\u0007',
  '\n',
  '\t',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '#',
  '/',
  '%',
  '<script>',
  "'",
  '$',
  '..',
];
const nastyText = (pieces = 1 + int(12)) => Array.from({ length: pieces }, () => pick(nastyPieces)).join('');
const randomBytes = (length: number) => Buffer.from(Array.from({ length }, () => int(256)));

/** A random JSON value that is not a string (wrong type for any id or body field). */
function wrongValue(depth = 0): unknown {
  const kinds = [
    'null',
    'true',
    'false',
    'int',
    'negative',
    'float',
    'huge',
    'array',
    'object',
    'emptyArray',
    'emptyObject',
  ];
  switch (pick(depth > 2 ? kinds.slice(0, 7) : kinds)) {
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'int':
      return int(1000);
    case 'negative':
      return -1 - int(1000);
    case 'float':
      return random() * 100;
    case 'huge':
      return 1e300;
    case 'array':
      return [wrongValue(depth + 1), nastyText()];
    case 'object':
      return { [nastyText(2)]: wrongValue(depth + 1) };
    case 'emptyArray':
      return [];
    default:
      return {};
  }
}

/** A wrong value for this field: never a boolean for `isTyping`, never a valid seq for `seq`. */
function wrongValueFor(field: string): unknown {
  for (;;) {
    const value = wrongValue();
    if (field === 'isTyping' && typeof value === 'boolean') continue;
    if (field === 'seq' && typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) continue;
    return value;
  }
}

/** Ids that try to address other item types or escape: refused by the id pattern. */
const forgedIds = [
  'CONV#x',
  'a#b',
  'MEMBER#alice',
  'MSG#000000000001',
  'USER#bob',
  'DIRECT#a#b',
  '#',
  '../',
  '../../etc/passwd',
  '..\\..\\',
  '%00',
  '\u0000',
  '',
  ' ',
  'x'.repeat(129),
  'x'.repeat(5000),
  "' OR '1'='1",
  '{"$ne":null}',
  '*',
  'a b',
  'a\nb',
  '\u202eabc',
  'a\u200bb',
  '😀',
];

const protocolStatus: Record<string, number> = {
  validation_failed: 400,
  payload_too_large: 413,
  not_member: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};
/** Anything that smells of internals: stack frames, exception names, paths, AWS service names. */
const leakPattern =
  /Error:|\bat [\w$.<>]+ \(|at (file|node):|\/work\/|node_modules|\.ts:\d|\.js:\d|DynamoDB|Exception|ConditionalCheck|Coral|amazonaws|stack|\binternal\b|Internal server error/i;

interface Problem {
  label: string;
  detail: string;
}
const problems: Problem[] = [];
let httpCount = 0;
let wsCount = 0;

/** Checks one HTTP answer: an expected protocol error (or, where allowed, a success) and no internals. */
function checkHttp(label: string, status: number, text: string, expectation: Expectation) {
  httpCount++;
  const fail = (detail: string) =>
    problems.push({ label: `HTTP ${label}`, detail: `${detail}; got ${status} ${text.slice(0, 300)}` });
  if (leakPattern.test(text)) return fail('internal text in the answer');
  if (status >= 500) return fail('server error');
  if (status >= 200 && status < 300) {
    if (expectation.kind !== 'any') fail('expected an error, got a success');
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail('error body is not JSON');
  }
  const error = (body as { error?: Json }).error;
  if (!error || Object.keys(body as Json).length !== 1) return fail('not {error}');
  if (Object.keys(error).sort().join() !== 'code,message')
    return fail('error has other fields than code and message');
  if (typeof error.code !== 'string' || typeof error.message !== 'string')
    return fail('code or message not a string');
  if (protocolStatus[error.code] === undefined) return fail(`code ${error.code} is not a protocol code`);
  if (protocolStatus[error.code] !== status) return fail(`status ${status} does not fit code ${error.code}`);
  if (expectation.codes && !expectation.codes.includes(error.code))
    fail(`expected ${expectation.codes.join('|')}`);
}

/** Checks one WebSocket answer event. */
function checkWs(label: string, event: Event, expectation: Expectation) {
  wsCount++;
  const text = JSON.stringify(event);
  const fail = (detail: string) =>
    problems.push({ label: `WS ${label}`, detail: `${detail}; got ${text.slice(0, 300)}` });
  if (leakPattern.test(text)) return fail('internal text in the answer');
  if (event.type === 'message.ack') {
    if (expectation.kind !== 'any') fail('expected an error, got an ack');
    return;
  }
  if (event.type !== 'error') return fail('neither error nor ack');
  const extra = Object.keys(event).filter(
    (k) => !['type', 'code', 'message', 'action', 'clientMessageId'].includes(k),
  );
  if (extra.length > 0) return fail(`unexpected fields ${extra.join()}`);
  if (typeof event.code !== 'string' || protocolStatus[event.code] === undefined)
    return fail('not a protocol code');
  if (typeof event.message !== 'string') return fail('message not a string');
  if (expectation.codes && !expectation.codes.includes(event.code))
    fail(`expected ${expectation.codes.join('|')}`);
}

interface Expectation {
  /** `error`: must be refused; `any`: odd but possibly valid, may succeed. */
  kind: 'error' | 'any';
  codes?: string[];
}
const refused = (...codes: string[]): Expectation => ({ kind: 'error', ...(codes.length ? { codes } : {}) });
const anyAnswer: Expectation = { kind: 'any' };

interface HttpCase {
  label: string;
  user: string;
  method: string;
  path: string;
  body?: string | Buffer;
  expect: Expectation;
}

interface WsCase {
  label: string;
  frame: string | Buffer;
  expect: Expectation;
}

const sockets: ChatSocket[] = [];
afterAll(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});

describe(`hostile input (seed ${seed})`, () => {
  let alice: string;
  let bob: string;
  let mallory: string;
  let trent: string;
  /** Attackers rotate so per-user rate limits are not what answers. */
  let attackers: string[] = [];
  /** Readable names for the failure report: on a deployed target a user id is an opaque `sub`. */
  const nameOf = new Map<string, string>();
  let victimId = '';
  let victimMessageIds: string[] = [];
  let ownId = '';
  let ownMessageId = '';
  let victimBefore: unknown;
  let bobSocket: ChatSocket;
  let mallorySocket: ChatSocket;
  let aliceCursor = '';
  const acked: { body: string; messageId: string }[] = [];

  const victimSnapshot = async () => {
    const conversation = await api(t, alice, 'GET', `/conversations/${victimId}`);
    const history = await api(t, alice, 'GET', `/conversations/${victimId}/messages?limit=100`);
    const bobView = await api(t, bob, 'GET', `/conversations/${victimId}/messages?limit=100`);
    return { conversation: conversation.body, history: history.body, bobView: bobView.body };
  };

  beforeAll(async () => {
    const names = ['alice', 'bob', 'mallory', 'trent', 'oscar', 'trudy', 'chuck'] as const;
    const ids = await t.newUsers(...names);
    for (const [index, id] of ids.entries()) nameOf.set(id, names[index] ?? id);
    [alice, bob, mallory, trent] = ids;
    attackers = [mallory, ...ids.slice(4)];
    [bobSocket, mallorySocket] = await Promise.all([ChatSocket.open(t, bob), ChatSocket.open(t, mallory)]);
    sockets.push(bobSocket, mallorySocket);
    const victim = await api(t, alice, 'POST', '/conversations', {
      type: 'group',
      name: 'victims',
      memberIds: [bob],
    });
    victimId = victim.body.conversationId;
    victimMessageIds = [];
    for (const [index, body] of ['first secret', 'second secret', 'שלום 😀 third'].entries()) {
      const sent = await api(t, alice, 'POST', `/conversations/${victimId}/messages`, {
        clientMessageId: `v-${index}`,
        body,
      });
      victimMessageIds.push(sent.body.messageId);
    }
    await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    aliceCursor = (await api(t, alice, 'GET', '/conversations?limit=1')).body.cursor;
    const own = await api(t, mallory, 'POST', '/conversations', {
      type: 'group',
      name: 'own',
      memberIds: [trent],
    });
    ownId = own.body.conversationId;
    ownMessageId = (
      await api(t, mallory, 'POST', `/conversations/${ownId}/messages`, {
        clientMessageId: 'own-1',
        body: 'mine',
      })
    ).body.messageId;
    victimBefore = await victimSnapshot();
  });

  it('answers every hostile WebSocket frame with a protocol error event and keeps the socket open', async () => {
    problems.length = 0;
    const cases: WsCase[] = [];
    const frame = (label: string, value: unknown, expectation: Expectation = refused()) =>
      cases.push({ label, frame: JSON.stringify(value), expect: expectation });
    const raw = (
      label: string,
      text: string | Buffer,
      expectation: Expectation = refused('validation_failed'),
    ) => cases.push({ label, frame: text, expect: expectation });

    // Random bytes (binary frames) and random text that is not JSON.
    for (let i = 0; i < 20; i++) raw(`random bytes #${i}`, randomBytes(int(2000)));
    for (let i = 0; i < 20; i++) raw(`random text #${i}`, `${nastyText(1 + int(40))}x{`);
    // JSON that is not an object.
    for (const text of [
      '[]',
      'null',
      '1',
      '-0',
      '1e400',
      '"sendMessage"',
      'true',
      '[{"action":"sendMessage"}]',
      '""',
      '{}',
    ])
      raw(`non-object ${text}`, text);
    // Deep nesting just under the frame limit, and over it.
    for (const depth of [100, 1000, 5000, 8000]) {
      raw(`nested arrays ${depth}`, `${'['.repeat(depth)}${']'.repeat(depth)}`);
      raw(`nested action ${depth}`, `{"action":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      raw(
        `nested conversationId ${depth}`,
        `{"action":"sendMessage","clientMessageId":"c","body":"b","conversationId":${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}}`,
      );
      raw(`nested object, no action ${depth}`, `${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}`);
    }
    raw(
      'nested over the limit',
      `{"action":${'['.repeat(9000)}${']'.repeat(9000)}}`,
      refused('payload_too_large'),
    );
    // Sizes: just over and far over the frame and body limits (far under the gateway's own 128 KB).
    const pad = (bytes: number) => JSON.stringify({ action: 'heartbeat', pad: 'x'.repeat(bytes - 31) });
    raw('frame one byte over 16 KB', pad(16 * 1024 + 1), refused('payload_too_large'));
    raw('frame of 100 KB', pad(100 * 1024), refused('payload_too_large'));
    raw(
      'frame of 16 KB in emoji',
      JSON.stringify({ action: 'heartbeat', pad: '😀'.repeat(4200) }),
      refused('payload_too_large'),
    );
    const send = (body: unknown, extra: Json = {}) => ({
      action: 'sendMessage',
      conversationId: ownId,
      clientMessageId: `h-${cases.length}`,
      body,
      ...extra,
    });
    frame('body one byte over 4 KB', send('x'.repeat(4097)), refused('payload_too_large'));
    frame('body of 15 KB', send('y'.repeat(15_000)), refused('payload_too_large'));
    frame('body over 4 KB in euro signs', send('€'.repeat(1366)), refused('payload_too_large'));
    frame('body of whitespace', send(' \n\t\u00a0\u3000 '), refused('validation_failed'));
    frame('empty body', send(''), refused('validation_failed'));
    // Unknown, odd and prototype-named actions.
    for (const action of [
      '',
      ' ',
      'SENDMESSAGE',
      'sendMessage ',
      ' sendMessage',
      'send\u200bMessage',
      'sendMessage\u0000',
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '$default',
      '$connect',
      'launchRockets',
      nastyText(),
      123,
      -1,
      null,
      true,
      [],
      {},
      ['sendMessage'],
      { sendMessage: 1 },
    ])
      frame(
        `action ${JSON.stringify(action)}`,
        { action, conversationId: ownId, clientMessageId: 'c', body: 'b' },
        refused('validation_failed'),
      );
    frame('no action', { conversationId: ownId, body: 'b' }, refused('validation_failed'));
    raw(
      'duplicate action keys',
      `{"action":"heartbeat","action":"markRead","conversationId":"${victimId}","seq":1}`,
      refused('not_member'),
    );
    // Wrong types and missing fields, for every field of every action.
    const valid: Record<string, Json> = {
      sendMessage: { action: 'sendMessage', conversationId: victimId, clientMessageId: 'c-1', body: 'hello' },
      typing: { action: 'typing', conversationId: victimId, isTyping: true },
      markRead: { action: 'markRead', conversationId: victimId, seq: 1 },
    };
    for (const [action, shape] of Object.entries(valid)) {
      for (const field of Object.keys(shape).filter((f) => f !== 'action')) {
        for (let i = 0; i < 8; i++)
          frame(
            `${action}.${field} wrong type #${i}`,
            { ...shape, [field]: wrongValueFor(field) },
            refused('validation_failed'),
          );
        if (field !== 'isTyping') {
          const { [field]: _missing, ...rest } = shape;
          frame(`${action} without ${field}`, rest, refused('validation_failed'));
        }
      }
      for (const id of forgedIds)
        frame(
          `${action} conversationId ${JSON.stringify(id.slice(0, 20))}`,
          { ...shape, conversationId: id },
          refused('validation_failed'),
        );
      // Well-formed ids that are not the victim's conversation, and the victim's own id: all refused alike.
      for (const id of [victimId.toLowerCase(), `${victimId}0`, 'META', 'PRESENCE', victimId])
        frame(
          `${action} someone else's conversation ${id}`,
          { ...shape, conversationId: id },
          refused('not_member'),
        );
      // Prototype keys do not supply fields, and extra keys do not grant anything.
      raw(
        `${action} with fields only in __proto__`,
        `{"action":"${action}","__proto__":${JSON.stringify(shape)}}`,
      );
      raw(
        `${action} with constructor.prototype`,
        JSON.stringify({
          ...shape,
          constructor: { prototype: { isAdmin: true, role: 'admin' } },
          userId: alice,
          senderId: alice,
          role: 'admin',
        }),
        refused('not_member'),
      );
    }
    for (const id of forgedIds)
      frame(
        `clientMessageId ${JSON.stringify(id.slice(0, 20))}`,
        send('hi', { clientMessageId: id }),
        refused('validation_failed'),
      );
    for (const seq of [
      -1,
      -0.5,
      1.5,
      Number.POSITIVE_INFINITY,
      2 ** 53 + 2,
      1e308,
      '1',
      '',
      null,
      [],
      {},
      true,
    ])
      raw(
        `markRead seq ${String(seq)}`,
        `{"action":"markRead","conversationId":"${ownId}","seq":${typeof seq === 'number' && !Number.isFinite(seq) ? '1e400' : JSON.stringify(seq)}}`,
        refused('validation_failed'),
      );
    for (const isTyping of ['yes', 1, 0, null, 'true', []])
      frame(
        `typing isTyping ${JSON.stringify(isTyping)}`,
        { action: 'typing', conversationId: ownId, isTyping },
        refused('validation_failed'),
      );
    // Random frames: each field independently valid, forged or of a wrong type.
    for (let i = 0; i < 40; i++) {
      const action = pick(['sendMessage', 'typing', 'markRead']);
      const field = () => pick<unknown>([victimId, pick(forgedIds), wrongValue(), nastyText(), undefined]);
      frame(`random ${action} #${i}`, {
        action,
        conversationId: field(),
        clientMessageId: field(),
        body: field(),
        seq: field(),
        isTyping: field(),
      });
    }
    // Unicode edge cases in bodies of its own conversation: text is kept, a lone surrogate refused.
    const unicodeBodies = [
      '\u202eevil.exe',
      'שלום עולם',
      '\u200b',
      'a\u200d\u200db',
      '👩‍👩‍👧‍👦🏳️‍🌈',
      'e\u0301\u0301\u0301',
      '\u0000nul',
      '中文 and عربي',
      '<script>alert(1)</script>',
      '😀'.repeat(1024),
    ];
    for (const body of unicodeBodies)
      frame(`unicode body ${JSON.stringify(body.slice(0, 12))}`, send(body), anyAnswer);
    for (const lone of ['\\ud800', 'a\\udc00b', '\\ud83d', 'x\\ude00'])
      raw(
        `lone surrogate ${lone}`,
        `{"action":"sendMessage","conversationId":"${ownId}","clientMessageId":"ls-${cases.length}","body":"${lone}"}`,
        refused('validation_failed'),
      );

    // One frame at a time: each is answered by exactly one error (or ack) event.
    for (const hostile of cases) {
      const before = mallorySocket.events.length;
      if (typeof hostile.frame === 'string') mallorySocket.socket.send(hostile.frame);
      else mallorySocket.socket.send(hostile.frame, { binary: true });
      const answer = await mallorySocket
        .waitFor(
          (e) =>
            mallorySocket.events.indexOf(e) >= before && (e.type === 'error' || e.type === 'message.ack'),
          3000,
        )
        .catch(() => ({ type: 'timeout: no answer' }) as Event);
      checkWs(hostile.label, answer, hostile.expect);
      if (answer.type === 'message.ack')
        acked.push({
          body: ((answer.message as Json).body as string) ?? '',
          messageId: (answer.message as Json).messageId as string,
        });
      if (mallorySocket.socket.readyState !== mallorySocket.socket.OPEN) {
        problems.push({ label: `WS ${hostile.label}`, detail: 'the socket was closed' });
        break;
      }
    }
    mallorySocket.send({ action: 'heartbeat', reply: true });
    await mallorySocket.waitFor((e) => e.type === 'pong');
    expect(mallorySocket.socket.readyState).toBe(mallorySocket.socket.OPEN);
    expect(mallorySocket.events.filter((e) => typeof e.type !== 'string')).toEqual([]);
    expect(problems, `seed ${seed}`).toEqual([]);
    expect(wsCount).toBeGreaterThanOrEqual(300);
  });

  it('answers every hostile HTTP request with a protocol error of a fitting status', async () => {
    problems.length = 0;
    const cases: HttpCase[] = [];
    let next = 0;
    const attacker = () => attackers[next++ % attackers.length] as string;
    const add = (
      label: string,
      method: string,
      path: string,
      body?: unknown,
      expectation: Expectation = refused(),
      user = attacker(),
    ) =>
      cases.push({
        label,
        user,
        method,
        path,
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
        expect: expectation,
      });
    const enc = encodeURIComponent;
    const bodyRoutes: [string, (id: string) => string, Json][] = [
      ['POST', () => '/conversations', { type: 'group', name: 'g', memberIds: [bob] }],
      ['POST', (id) => `/conversations/${id}/members`, { userIds: [mallory] }],
      ['POST', (id) => `/conversations/${id}/messages`, { clientMessageId: 'c', body: 'b' }],
      ['PATCH', (id) => `/conversations/${id}/messages/${victimMessageIds[0]}`, { body: 'b' }],
      ['POST', (id) => `/conversations/${id}/read`, { seq: 1 }],
    ];
    // Bodies that are not JSON objects, random bytes, deep nesting, too large.
    for (const [method, path] of bodyRoutes) {
      const on = path(victimId);
      for (let i = 0; i < 5; i++)
        add(
          `${method} ${on} random bytes #${i}`,
          method,
          on,
          randomBytes(1 + int(3000)),
          refused('validation_failed'),
        );
      for (const text of ['not json', '{', '[]', 'null', '42', '"x"', `${nastyText()}{`, '{"a":1}garbage'])
        add(`${method} ${on} body ${text.slice(0, 10)}`, method, on, text, refused('validation_failed'));
      add(
        `${method} ${on} nested 5000`,
        method,
        on,
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        refused('validation_failed'),
      );
      add(
        `${method} ${on} nested object`,
        method,
        on,
        `${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}`,
        refused('validation_failed'),
      );
      for (const size of [16 * 1024 + 1, 100 * 1024, 1024 * 1024])
        add(
          `${method} ${on} body of ${size} bytes`,
          method,
          on,
          JSON.stringify({ pad: 'x'.repeat(size) }),
          refused('payload_too_large'),
        );
    }
    // Wrong types and missing fields for every field of every body.
    const shapes: [string, string, Json][] = [
      ['POST', '/conversations', { type: 'group', name: 'g', memberIds: [bob] }],
      ['POST', `/conversations/${ownId}/members`, { userIds: [trent] }],
      ['POST', `/conversations/${ownId}/messages`, { clientMessageId: 'c-x', body: 'b' }],
      ['PATCH', `/conversations/${ownId}/messages/${ownMessageId}`, { body: 'b' }],
      ['POST', `/conversations/${ownId}/read`, { seq: 1 }],
    ];
    for (const [method, path, shape] of shapes) {
      for (const field of Object.keys(shape)) {
        for (let i = 0; i < 6; i++)
          add(
            `${method} ${path} ${field} wrong type #${i}`,
            method,
            path,
            { ...shape, [field]: wrongValueFor(field) },
            refused('validation_failed'),
            mallory,
          );
        const { [field]: _missing, ...rest } = shape;
        add(`${method} ${path} without ${field}`, method, path, rest, refused('validation_failed'), mallory);
      }
      add(
        `${method} ${path} fields only in __proto__`,
        method,
        path,
        `{"__proto__":${JSON.stringify(shape)}}`,
        refused('validation_failed'),
        mallory,
      );
    }
    for (const seq of ['-1', '1.5', '1e400', String(2 ** 53 + 2), '"1"', 'null'])
      add(
        `read seq ${seq}`,
        'POST',
        `/conversations/${ownId}/read`,
        `{"seq":${seq}}`,
        refused('validation_failed'),
        mallory,
      );
    add(
      'create group with 101 members',
      'POST',
      '/conversations',
      { type: 'group', name: 'big', memberIds: Array.from({ length: 101 }, (_, i) => `u${i}`) },
      refused('validation_failed'),
    );
    add(
      'create group with 51 members',
      'POST',
      '/conversations',
      { type: 'group', name: 'big', memberIds: Array.from({ length: 51 }, (_, i) => `u${i}`) },
      refused('validation_failed'),
    );
    add(
      'add 101 members',
      'POST',
      `/conversations/${ownId}/members`,
      { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) },
      refused('validation_failed'),
      mallory,
    );
    add(
      'direct with itself',
      'POST',
      '/conversations',
      { type: 'direct', memberIds: [mallory] },
      refused('validation_failed'),
      mallory,
    );
    add(
      'direct with two',
      'POST',
      '/conversations',
      { type: 'direct', memberIds: [alice, bob] },
      refused('validation_failed'),
    );
    add(
      'group name too long',
      'POST',
      '/conversations',
      { type: 'group', name: 'n'.repeat(101), memberIds: [bob] },
      refused('validation_failed'),
    );
    add(
      'group name blank',
      'POST',
      '/conversations',
      { type: 'group', name: ' \u3000 ', memberIds: [bob] },
      refused('validation_failed'),
    );
    add(
      'type __proto__',
      'POST',
      '/conversations',
      { type: '__proto__', memberIds: [bob] },
      refused('validation_failed'),
    );
    add(
      'group name lone surrogate',
      'POST',
      '/conversations',
      '{"type":"group","name":"\\ud800","memberIds":["x"]}',
      refused('validation_failed'),
    );
    add(
      'body lone surrogate',
      'POST',
      `/conversations/${ownId}/messages`,
      '{"clientMessageId":"ls","body":"a\\udc00"}',
      refused('validation_failed'),
      mallory,
    );
    add(
      'edit to lone surrogate',
      'PATCH',
      `/conversations/${ownId}/messages/${ownMessageId}`,
      '{"body":"\\ud83d"}',
      refused('validation_failed'),
      mallory,
    );
    add(
      'edit over 4 KB',
      'PATCH',
      `/conversations/${ownId}/messages/${ownMessageId}`,
      { body: 'x'.repeat(4097) },
      refused('payload_too_large'),
      mallory,
    );
    add(
      'edit to blank',
      'PATCH',
      `/conversations/${ownId}/messages/${ownMessageId}`,
      { body: ' \n ' },
      refused('validation_failed'),
      mallory,
    );
    for (const name of ['\u202eevil', 'שלום', '\u200b', '👩‍👩‍👧‍👦', '<img src=x>'])
      add(
        `group named ${JSON.stringify(name)}`,
        'POST',
        '/conversations',
        { type: 'group', name, memberIds: [trent] },
        anyAnswer,
      );
    // Forged ids in every path parameter (percent-encoded, so each stays one path segment).
    const pathRoutes: [string, (id: string) => string, Json?][] = [
      ['GET', (id) => `/conversations/${id}`],
      ['GET', (id) => `/conversations/${id}/messages`],
      ['POST', (id) => `/conversations/${id}/messages`, { clientMessageId: 'c', body: 'b' }],
      ['POST', (id) => `/conversations/${id}/members`, { userIds: [mallory] }],
      ['DELETE', (id) => `/conversations/${id}/members/${mallory}`],
      ['PATCH', (id) => `/conversations/${id}/messages/${victimMessageIds[0]}`, { body: 'b' }],
      ['DELETE', (id) => `/conversations/${id}/messages/${victimMessageIds[1]}`],
      ['POST', (id) => `/conversations/${id}/read`, { seq: 1 }],
    ];
    for (const [method, path, body] of pathRoutes) {
      for (const id of forgedIds.filter((f) => f !== ''))
        add(
          `${method} ${path('{forged}')} ${JSON.stringify(id.slice(0, 20))}`,
          method,
          path(enc(id)),
          body,
          refused('validation_failed'),
        );
      for (const id of [victimId, victimId.toLowerCase(), `${victimId}-x`, 'META'])
        add(`${method} ${path('{other}')} ${id}`, method, path(id), body, refused('not_member'));
      add(`${method} raw %00`, method, path('%00'), body, refused('validation_failed'));
    }
    for (const userId of forgedIds.filter((f) => f !== ''))
      add(
        `DELETE member ${JSON.stringify(userId.slice(0, 20))}`,
        'DELETE',
        `/conversations/${ownId}/members/${enc(userId)}`,
        undefined,
        refused('validation_failed'),
        mallory,
      );
    for (const messageId of [
      '0-X',
      '1-X',
      '999999999999999-X',
      '1e3-X',
      '01-X',
      'X',
      victimMessageIds[0] ?? '',
      victimMessageIds[2] ?? '',
    ])
      for (const method of ['PATCH', 'DELETE'])
        add(
          `${method} own message ${messageId}`,
          method,
          `/conversations/${ownId}/messages/${enc(messageId)}`,
          method === 'PATCH' ? { body: 'x' } : undefined,
          refused('not_found'),
          mallory,
        );
    for (const messageId of forgedIds.filter((f) => f !== ''))
      add(
        `PATCH messageId ${JSON.stringify(messageId.slice(0, 20))}`,
        'PATCH',
        `/conversations/${ownId}/messages/${enc(messageId)}`,
        { body: 'x' },
        refused('validation_failed'),
        mallory,
      );
    // Query parameters.
    for (const q of [
      'limit=0',
      'limit=abc',
      'limit=-1',
      'limit=1.5',
      'limit=101',
      'limit=',
      'limit=1e400',
      'limit=NaN',
      'limit=Infinity',
      'before=0',
      'before=-1',
      'before=abc',
      `before=${2 ** 53 + 2}`,
      'after=-1',
      'after=1.5',
      'before=2&after=1',
      `limit=${'9'.repeat(400)}`,
    ])
      add(
        `history ?${q.slice(0, 30)}`,
        'GET',
        `/conversations/${ownId}/messages?${q}`,
        undefined,
        refused('validation_failed'),
        mallory,
      );
    for (const q of [
      'limit=0x10',
      'limit=%205',
      'before=1e3',
      'limit=1&limit=2',
      'after=0',
      'unknown=1&__proto__=x',
    ])
      add(
        `history odd but valid ?${q}`,
        'GET',
        `/conversations/${ownId}/messages?${q}`,
        undefined,
        anyAnswer,
        mallory,
      );
    const b64 = (value: unknown) =>
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const cursors: [string, string][] = [
      ['garbage', 'garbage'],
      ['not base64 JSON', b64('{{{')],
      ['an array', b64([1, 2])],
      ['null', b64(null)],
      ['a number', b64(42)],
      [
        'another user’s partition',
        b64({ gsi1pk: `USER#${alice}`, gsi1sk: 'x', pk: `CONV#${victimId}`, sk: `MEMBER#${alice}` }),
      ],
      ['alice’s real cursor', aliceCursor],
      ['only the partition', b64({ gsi1pk: `USER#${mallory}` })],
      ['missing the table key', b64({ gsi1pk: `USER#${mallory}`, gsi1sk: 'x' })],
      [
        'an extra key',
        b64({
          gsi1pk: `USER#${mallory}`,
          gsi1sk: 'x',
          pk: `CONV#${ownId}`,
          sk: `MEMBER#${mallory}`,
          extra: 'y',
        }),
      ],
      ['empty key values', b64({ gsi1pk: `USER#${mallory}`, gsi1sk: '', pk: '', sk: '' })],
      [
        'a number value',
        b64({ gsi1pk: `USER#${mallory}`, gsi1sk: 1, pk: `CONV#${ownId}`, sk: `MEMBER#${mallory}` }),
      ],
      [
        'a nested value',
        b64({ gsi1pk: `USER#${mallory}`, gsi1sk: { S: 'x' }, pk: `CONV#${ownId}`, sk: `MEMBER#${mallory}` }),
      ],
      [
        'the victim’s meta item',
        b64({ gsi1pk: `USER#${mallory}`, gsi1sk: 'x', pk: `CONV#${victimId}`, sk: 'META' }),
      ],
      [
        'a presence item',
        b64({ gsi1pk: `USER#${mallory}`, gsi1sk: 'x', pk: `USER#${alice}`, sk: 'PRESENCE' }),
      ],
      [
        '__proto__ keys',
        b64(
          JSON.parse(`{"gsi1pk":"USER#${mallory}","__proto__":{"gsi1sk":"x","pk":"CONV#a","sk":"MEMBER#b"}}`),
        ),
      ],
      ['too long', 'c'.repeat(600)],
    ];
    for (const [label, cursor] of cursors)
      add(
        `inbox cursor ${label}`,
        'GET',
        `/conversations?cursor=${enc(cursor)}`,
        undefined,
        refused('validation_failed'),
        mallory,
      );
    for (const q of ['limit=0', 'limit=abc', 'limit=101', 'limit=-5'])
      add(`inbox ?${q}`, 'GET', `/conversations?${q}`, undefined, refused('validation_failed'), mallory);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`).join(',');
    for (const [label, q] of [
      ['101 ids', `userIds=${ids(101)}`],
      ['no ids', 'userIds='],
      ['only commas', 'userIds=,,,'],
      ['no parameter', ''],
      ['a forged id', `userIds=${enc('USER#bob')}`],
      ['a long id', `userIds=${'x'.repeat(200)}`],
    ])
      add(`presence ${label}`, 'GET', `/presence?${q}`, undefined, refused('validation_failed'));
    add('presence 100 ids', 'GET', `/presence?userIds=${ids(100)}`, undefined, anyAnswer);
    add(
      'presence 150 copies of one id',
      'GET',
      `/presence?userIds=${Array(150).fill('p1').join(',')}`,
      undefined,
      anyAnswer,
    );
    // Random requests at the victim's conversation or forged ids: refused whatever the body.
    for (let i = 0; i < 40; i++) {
      const [method, path] = pick(pathRoutes);
      const id = pick([victimId, enc(pick(forgedIds.filter((f) => f !== ''))), 'nope']);
      const body = pick<unknown>([
        wrongValue(),
        { clientMessageId: pick([nastyText(), wrongValue()]), body: pick([nastyText(), wrongValue()]) },
        { seq: wrongValue() },
        { userIds: [wrongValue(), nastyText()] },
        nastyText(),
      ]);
      add(
        `random ${method} #${i}`,
        method,
        path(id),
        method === 'GET' || method === 'DELETE' ? undefined : body,
      );
    }

    const run = async (hostile: HttpCase) => {
      const answer = await fetch(`${t.httpUrl}${hostile.path}`, {
        method: hostile.method,
        headers: {
          authorization: `Bearer ${await t.tokenFor(hostile.user)}`,
          'content-type': 'application/json',
        },
        ...(hostile.body === undefined
          ? {}
          : { body: typeof hostile.body === 'string' ? hostile.body : new Uint8Array(hostile.body) }),
      });
      checkHttp(
        `${hostile.label} (${nameOf.get(hostile.user)})`,
        answer.status,
        await answer.text(),
        hostile.expect,
      );
    };
    for (let start = 0; start < cases.length; start += 6)
      await Promise.all(cases.slice(start, start + 6).map(run));
    expect(problems, `seed ${seed}`).toEqual([]);
    expect(httpCount).toBeGreaterThanOrEqual(300);
  });

  it('changed nothing of the victims’ conversation and leaked nothing to the attackers', async () => {
    expect(await victimSnapshot()).toEqual(victimBefore);
    for (const attacker of attackers) {
      const inbox = await api(t, attacker, 'GET', '/conversations?limit=100');
      expect(JSON.stringify(inbox.body)).not.toMatch(new RegExp(`${victimId}|secret`));
      const unread = await api(t, attacker, 'GET', '/unread');
      expect(JSON.stringify(unread.body)).not.toContain(victimId);
    }
    // Error events may echo what mallory sent herself (a clientMessageId); anything else must not name the victim.
    const heard = mallorySocket.events.filter((e) => e.type !== 'error');
    expect(JSON.stringify(heard)).not.toMatch(new RegExp(`${victimId}|secret`));
    expect(JSON.stringify(mallorySocket.events.map((e) => e.message))).not.toMatch(/secret/);
    const fromAttackers = bobSocket.events.filter((e) =>
      attackers.some((a) => JSON.stringify(e).includes(a)),
    );
    expect(fromAttackers).toEqual([]);
  });

  it('still has every earlier message readable by its members', async () => {
    const victim = await api(t, bob, 'GET', `/conversations/${victimId}/messages?after=0`);
    expect(victim.body.items.map((m: Json) => m.body)).toEqual([
      'first secret',
      'second secret',
      'שלום 😀 third',
    ]);
    const own = await api(t, trent, 'GET', `/conversations/${ownId}/messages?after=0&limit=100`);
    expect(own.status).toBe(200);
    const bodies = new Map(own.body.items.map((m: Json) => [m.messageId, m.body]));
    expect(bodies.get(ownMessageId)).toBe('mine');
    expect(acked.length).toBeGreaterThan(5);
    for (const message of acked) expect(bodies.get(message.messageId)).toBe(message.body);
  });

  it('still serves normal traffic: send → ack → message.new', async () => {
    const aliceSocket = await ChatSocket.open(t, alice);
    sockets.push(aliceSocket);
    aliceSocket.send({
      action: 'sendMessage',
      conversationId: victimId,
      clientMessageId: 'after-storm',
      body: 'all good?',
    });
    const ack = await aliceSocket.waitFor((e) => e.type === 'message.ack');
    expect(ack).toMatchObject({ clientMessageId: 'after-storm', message: { seq: 4, body: 'all good?' } });
    const delivered = await bobSocket.waitFor(
      (e) => e.type === 'message.new' && (e.message as Json).clientMessageId === 'after-storm',
      t.eventTimeoutMs,
    );
    expect(delivered).toMatchObject({ message: { messageId: (ack.message as Json).messageId } });
  });
});

describe('frames and paths the gateway must not mistake for something else', () => {
  it('answers a frame whose action is "$disconnect" like any unknown action, and keeps delivering to the socket', async () => {
    const [victor, walter] = await t.newUsers('victor', 'walter');
    const socket = await ChatSocket.open(t, victor);
    sockets.push(socket);
    const conversation = await api(t, walter, 'POST', '/conversations', {
      type: 'direct',
      memberIds: [victor],
    });
    socket.send({ action: '$disconnect' });
    const answer = await socket.waitFor((e) => e.type === 'error', 3000).catch(() => undefined);
    const sent = await api(t, walter, 'POST', `/conversations/${conversation.body.conversationId}/messages`, {
      clientMessageId: 'w-1',
      body: 'still there?',
    });
    const delivered = await socket
      .waitFor(
        (e) => e.type === 'message.new' && (e.message as Json).messageId === sent.body.messageId,
        t.eventTimeoutMs,
      )
      .catch(() => undefined);
    const presence = await api(t, walter, 'GET', `/presence?userIds=${victor}`);
    expect({
      answer: answer?.code,
      delivered: delivered !== undefined,
      status: presence.body.users[0].status,
    }).toEqual({
      answer: 'validation_failed',
      delivered: true,
      status: 'online',
    });
  });

  it('answers a malformed percent-encoding in a path with a protocol error, not a 500', async () => {
    const [mallory] = await t.newUsers('mallory');
    for (const path of [
      '/conversations/%E0%A4%A',
      '/conversations/%/messages',
      '/conversations/abc%zz/read',
    ]) {
      const method = path.endsWith('/read') ? 'POST' : 'GET';
      const answer = await api(t, mallory, method, path, method === 'POST' ? { seq: 1 } : undefined).catch(
        (error: Error) => ({
          status: -1,
          body: error.message,
        }),
      );
      expect({ path, status: answer.status, body: answer.body }).toEqual({
        path,
        status: 400,
        body: { error: { code: 'validation_failed', message: expect.any(String) } },
      });
    }
  });
});
