/**
 * Hostile input: hundreds of bad WebSocket frames and HTTP requests against the runtime, one named test case
 * each. Every answer must be a well-formed protocol error (never `internal`, never internals), sockets stay
 * open, nobody else's data changes or leaks, and normal traffic still flows afterwards.
 *
 * A generated case draws from its own generator, whose seed its name shows (`random bytes #3 (seed 1592598567)`).
 * The seeds count up from HOSTILE_SEED, so the same HOSTILE_SEED and `-t '<case name>'` rerun a failed case.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../support/random.ts';
import { api, type ChatSocket, socketPool, target } from '../support/target.ts';

const t = target();
const sockets = socketPool(t);
const firstSeed = Number(process.env.HOSTILE_SEED ?? 0x5eed2026);

type Json = Record<string, unknown>;
type Event = Record<string, unknown>;
/** A test case and its name. */
type Named<Case> = [name: string, hostile: Case];
/** A value, or a function that makes it once the users and conversations exist. */
type Lazy<T> = T | (() => T);
const lazy = <T>(value: Lazy<T>): T => (typeof value === 'function' ? (value as () => T)() : value);
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
const enc = encodeURIComponent;

// ---------------------------------------------------------------------------------------------------------
// Hostile values

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
/** The forged ids that still make a path segment. */
const forgedSegments = forgedIds.filter((id) => id !== '');
/** A short, unique name for a forged id: long ones by their length. */
const idLabel = (id: string) =>
  id.length > 20 ? `${JSON.stringify(id.slice(0, 8))}… (${id.length} chars)` : JSON.stringify(id);

const wrongKinds = ['null', 'true', 'false', 'int', 'negative', 'float', 'huge'] as const;
const nestingKinds = ['array', 'object', 'emptyArray', 'emptyObject'] as const;

/** A seeded source of hostile values: each generated case has its own. */
class Hostile {
  private readonly random: () => number;
  constructor(readonly seed: number) {
    this.random = mulberry32(seed);
  }

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  text(pieces = 1 + this.int(12)): string {
    return times(pieces, () => this.pick(nastyPieces)).join('');
  }

  bytes(length: number): Buffer {
    return Buffer.from(times(length, () => this.int(256)));
  }

  /** A random JSON value that is not a string (wrong type for any id or body field). */
  wrongValue(depth = 0): unknown {
    switch (this.pick(depth > 2 ? wrongKinds : [...wrongKinds, ...nestingKinds])) {
      case 'null':
        return null;
      case 'true':
        return true;
      case 'false':
        return false;
      case 'int':
        return this.int(1000);
      case 'negative':
        return -1 - this.int(1000);
      case 'float':
        return this.random() * 100;
      case 'huge':
        return 1e300;
      case 'array':
        return [this.wrongValue(depth + 1), this.text()];
      case 'object':
        return { [this.text(2)]: this.wrongValue(depth + 1) };
      case 'emptyArray':
        return [];
      default:
        return {};
    }
  }

  /** A wrong value for this field: never a boolean for `isTyping`, never a valid seq for `seq`. */
  wrongValueFor(field: string): unknown {
    for (;;) {
      const value = this.wrongValue();
      if (field === 'isTyping' && typeof value === 'boolean') continue;
      if (field === 'seq' && typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) continue;
      return value;
    }
  }
}

let nextSeed = firstSeed;
/** A case made from a fresh generator, named with its seed. */
function generated<Case>(name: string, make: (hostile: Hostile) => Case): Named<Case> {
  const hostile = new Hostile(nextSeed++);
  return [`${name} (seed ${hostile.seed})`, make(hostile)];
}

// ---------------------------------------------------------------------------------------------------------
// What an answer must look like

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

interface Expectation {
  /** `error`: must be refused; `any`: odd but possibly valid, may succeed. */
  kind: 'error' | 'any';
  codes?: string[];
}
const refused = (...codes: string[]): Expectation => ({ kind: 'error', ...(codes.length ? { codes } : {}) });
const anyAnswer: Expectation = { kind: 'any' };

const unexpectedCode = (code: string, expected: Expectation) =>
  expected.codes && !expected.codes.includes(code) ? `expected ${expected.codes.join('|')}` : undefined;

/** The `{error: {code, message}}` body of an HTTP error, or what is wrong with it. */
function protocolError(text: string): { code: string; message: string } | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'error body is not JSON';
  }
  const error = (body as { error?: Json }).error;
  if (!error || Object.keys(body as Json).length !== 1) return 'not {error}';
  if (Object.keys(error).sort().join() !== 'code,message')
    return 'error has other fields than code and message';
  if (typeof error.code !== 'string' || typeof error.message !== 'string')
    return 'code or message not a string';
  if (protocolStatus[error.code] === undefined) return `code ${error.code} is not a protocol code`;
  return { code: error.code, message: error.message };
}

/** What is wrong with an HTTP answer: undefined for the protocol error expected (or an allowed success). */
function httpAnswerProblem(status: number, text: string, expected: Expectation): string | undefined {
  if (leakPattern.test(text)) return 'internal text in the answer';
  if (status >= 500) return 'server error';
  if (status >= 200 && status < 300)
    return expected.kind === 'any' ? undefined : 'expected an error, got a success';
  const error = protocolError(text);
  if (typeof error === 'string') return error;
  if (protocolStatus[error.code] !== status) return `status ${status} does not fit code ${error.code}`;
  return unexpectedCode(error.code, expected);
}

const errorEventFields = ['type', 'code', 'message', 'action', 'clientMessageId'];

/** What is wrong with a WebSocket answer: undefined for the error event expected (or an allowed ack). */
function wsAnswerProblem(event: Event, expected: Expectation): string | undefined {
  if (leakPattern.test(JSON.stringify(event))) return 'internal text in the answer';
  if (event.type === 'message.ack')
    return expected.kind === 'any' ? undefined : 'expected an error, got an ack';
  if (event.type !== 'error') return 'neither error nor ack';
  const extra = Object.keys(event).filter((key) => !errorEventFields.includes(key));
  if (extra.length > 0) return `unexpected fields ${extra.join()}`;
  if (typeof event.code !== 'string' || protocolStatus[event.code] === undefined)
    return 'not a protocol code';
  if (typeof event.message !== 'string') return 'message not a string';
  return unexpectedCode(event.code, expected);
}

// ---------------------------------------------------------------------------------------------------------
// Who and what the attacks aim at (made in beforeAll)

const userNames = ['alice', 'bob', 'mallory', 'trent', 'oscar', 'trudy', 'chuck'] as const;
type UserName = (typeof userNames)[number];
/** Attackers rotate so per-user rate limits are not what answers. */
const attackerNames: UserName[] = ['mallory', 'oscar', 'trudy', 'chuck'];

const w = {
  users: {} as Record<UserName, string>,
  /** Alice's group with bob, and its three messages. */
  victim: '',
  victimMessages: [] as string[],
  /** Mallory's own group with trent, and her message in it. */
  own: '',
  ownMessage: '',
  aliceCursor: '',
  bobSocket: undefined as unknown as ChatSocket,
  /** Mallory's sockets: one, unless a frame closed it and a new one had to be opened. */
  mallorySockets: [] as ChatSocket[],
};
const mallorySocket = () => w.mallorySockets.at(-1) as ChatSocket;
/** Messages mallory's frames got acked, to find again afterwards. */
const acked: { body: string; messageId: string }[] = [];

/** A path with `{victim}`, `{own}`, `{ownMessage}`, `{victimMessage0}`… or a user's name in braces filled in. */
function resolve(path: string): string {
  const places: Record<string, string | undefined> = {
    victim: w.victim,
    own: w.own,
    ownMessage: w.ownMessage,
    ...Object.fromEntries(w.victimMessages.map((id, i) => [`victimMessage${i}`, id])),
    ...w.users,
  };
  return path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = places[key];
    if (value === undefined) throw new Error(`no value for {${key}} in ${path}`);
    return value;
  });
}

const victimSnapshot = async () => {
  const { alice, bob } = w.users;
  const conversation = await api(t, alice, 'GET', `/conversations/${w.victim}`);
  const history = await api(t, alice, 'GET', `/conversations/${w.victim}/messages?limit=100`);
  const bobView = await api(t, bob, 'GET', `/conversations/${w.victim}/messages?limit=100`);
  return { conversation: conversation.body, history: history.body, bobView: bobView.body };
};
let victimBefore: unknown;

async function setUpVictimsAndAttackers() {
  const ids = await t.newUsers(...userNames);
  w.users = Object.fromEntries(userNames.map((name, i) => [name, ids[i]])) as Record<UserName, string>;
  const { alice, bob, mallory, trent } = w.users;
  w.bobSocket = await sockets.open(bob);
  w.mallorySockets = [await sockets.open(mallory)];
  const victim = await api(t, alice, 'POST', '/conversations', {
    type: 'group',
    name: 'victims',
    memberIds: [bob],
  });
  w.victim = victim.body.conversationId;
  w.victimMessages = [];
  for (const [index, body] of ['first secret', 'second secret', 'שלום 😀 third'].entries()) {
    const sent = await api(t, alice, 'POST', `/conversations/${w.victim}/messages`, {
      clientMessageId: `v-${index}`,
      body,
    });
    w.victimMessages.push(sent.body.messageId);
  }
  await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
  w.aliceCursor = (await api(t, alice, 'GET', '/conversations?limit=1')).body.cursor;
  const own = await api(t, mallory, 'POST', '/conversations', {
    type: 'group',
    name: 'own',
    memberIds: [trent],
  });
  w.own = own.body.conversationId;
  const mine = await api(t, mallory, 'POST', `/conversations/${w.own}/messages`, {
    clientMessageId: 'own-1',
    body: 'mine',
  });
  w.ownMessage = mine.body.messageId;
  victimBefore = await victimSnapshot();
}

// ---------------------------------------------------------------------------------------------------------
// Hostile WebSocket frames, sent by mallory one at a time

interface WsCase {
  frame: () => string | Buffer;
  expect: Expectation;
}
/** A frame of this exact text (or binary). */
const raw = (text: Lazy<string | Buffer>, expected = refused('validation_failed')): WsCase => ({
  frame: () => lazy(text),
  expect: expected,
});
/** A frame of this value as JSON. */
const json = (value: Lazy<unknown>, expected = refused()): WsCase => ({
  frame: () => JSON.stringify(lazy(value)),
  expect: expected,
});

let ownSends = 0;
/** A sendMessage into mallory's own conversation, each with its own clientMessageId. */
const ownSend = (body: unknown, extra: Json = {}) => {
  const clientMessageId = `h-${ownSends++}`;
  return () => ({ action: 'sendMessage', conversationId: w.own, clientMessageId, body, ...extra });
};
/** A frame that pads a heartbeat to this many bytes. */
const paddedHeartbeat = (bytes: number) =>
  JSON.stringify({ action: 'heartbeat', pad: 'x'.repeat(bytes - 31) });
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const validFrames: Record<string, () => Json> = {
  sendMessage: () => ({
    action: 'sendMessage',
    conversationId: w.victim,
    clientMessageId: 'c-1',
    body: 'hello',
  }),
  typing: () => ({ action: 'typing', conversationId: w.victim, isTyping: true }),
  markRead: () => ({ action: 'markRead', conversationId: w.victim, seq: 1 }),
};
/** Well-formed conversation ids that are not a conversation of mallory's, the victim's among them. */
const othersConversations: Named<() => string>[] = [
  ['the victim’s id in lower case', () => w.victim.toLowerCase()],
  ['the victim’s id and one more digit', () => `${w.victim}0`],
  ['META', () => 'META'],
  ['PRESENCE', () => 'PRESENCE'],
  ['the victim’s own id', () => w.victim],
];

/** Wrong types, missing fields, forged and others' conversation ids, prototype keys, for one action. */
function framesFor(action: string, valid: () => Json): Named<WsCase>[] {
  const fields = Object.keys(valid()).filter((field) => field !== 'action');
  const without = (field: string) => () => {
    const { [field]: _missing, ...rest } = valid();
    return rest;
  };
  return [
    ...fields.flatMap((field) => [
      ...times(8, (i) =>
        generated(`${field} of a wrong type #${i}`, (g) =>
          json(() => ({ ...valid(), [field]: g.wrongValueFor(field) }), refused('validation_failed')),
        ),
      ),
      ...(field === 'isTyping'
        ? []
        : [[`without ${field}`, json(without(field), refused('validation_failed'))] as Named<WsCase>]),
    ]),
    ...forgedIds.map(
      (id): Named<WsCase> => [
        `conversationId ${idLabel(id)}`,
        json(() => ({ ...valid(), conversationId: id }), refused('validation_failed')),
      ],
    ),
    ...othersConversations.map(
      ([name, id]): Named<WsCase> => [
        `someone else’s conversation: ${name}`,
        json(() => ({ ...valid(), conversationId: id() }), refused('not_member')),
      ],
    ),
    // Prototype keys do not supply fields, and extra keys do not grant anything.
    [
      'with fields only in __proto__',
      raw(() => `{"action":"${action}","__proto__":${JSON.stringify(valid())}}`),
    ],
    [
      'with constructor.prototype and forged sender fields',
      raw(
        () =>
          JSON.stringify({
            ...valid(),
            constructor: { prototype: { isAdmin: true, role: 'admin' } },
            userId: w.users.alice,
            senderId: w.users.alice,
            role: 'admin',
          }),
        refused('not_member'),
      ),
    ],
  ];
}

const oddActions: unknown[] = [
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
  123,
  -1,
  null,
  true,
  [],
  {},
  ['sendMessage'],
  { sendMessage: 1 },
];
const frameWithAction = (action: Lazy<unknown>) =>
  json(
    () => ({ action: lazy(action), conversationId: w.own, clientMessageId: 'c', body: 'b' }),
    refused('validation_failed'),
  );

const badSeqs: unknown[] = [
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
];
/** JSON for a seq, with the infinite one written as a number JSON cannot hold. */
const seqJson = (seq: unknown) =>
  typeof seq === 'number' && !Number.isFinite(seq) ? '1e400' : JSON.stringify(seq);
const seqLabel = (seq: unknown) => (typeof seq === 'number' ? String(seq) : JSON.stringify(seq));

/** Unicode edge cases in bodies of her own conversation: text is kept (an ack is fine). */
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
let loneSends = 0;
const loneSurrogateSend = (lone: string) => {
  const clientMessageId = `ls-${loneSends++}`;
  return () =>
    `{"action":"sendMessage","conversationId":"${w.own}","clientMessageId":"${clientMessageId}","body":"${lone}"}`;
};

const wsFamilies: Named<Named<WsCase>[]>[] = [
  [
    'not JSON, or not an object',
    [
      ...times(20, (i) => generated(`random bytes #${i}`, (g) => raw(() => g.bytes(g.int(2000))))),
      ...times(20, (i) => generated(`random text #${i}`, (g) => raw(() => `${g.text(1 + g.int(40))}x{`))),
      ...[
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
      ].map((text): Named<WsCase> => [`non-object ${text}`, raw(text)]),
    ],
  ],
  [
    'deep nesting, just under the frame limit and over it',
    [
      ...[100, 1000, 5000, 8000].flatMap((depth): Named<WsCase>[] => [
        [`nested arrays ${depth}`, raw(nestedArrays(depth))],
        [`nested action ${depth}`, raw(`{"action":${nestedArrays(depth)}}`)],
        [
          `nested conversationId ${depth}`,
          raw(
            `{"action":"sendMessage","clientMessageId":"c","body":"b","conversationId":${nestedObjects(depth / 5)}}`,
          ),
        ],
        [`nested object, no action ${depth}`, raw(nestedObjects(depth / 5))],
      ]),
      ['nested over the limit', raw(`{"action":${nestedArrays(9000)}}`, refused('payload_too_large'))],
    ],
  ],
  [
    // Just over and far over the frame and body limits (far under the gateway's own 128 KB).
    'sizes over the frame and body limits, and empty bodies',
    [
      ['frame one byte over 16 KB', raw(paddedHeartbeat(16 * 1024 + 1), refused('payload_too_large'))],
      ['frame of 100 KB', raw(paddedHeartbeat(100 * 1024), refused('payload_too_large'))],
      [
        'frame of 16 KB in emoji',
        raw(JSON.stringify({ action: 'heartbeat', pad: '😀'.repeat(4200) }), refused('payload_too_large')),
      ],
      ['body one byte over 4 KB', json(ownSend('x'.repeat(4097)), refused('payload_too_large'))],
      ['body of 15 KB', json(ownSend('y'.repeat(15_000)), refused('payload_too_large'))],
      ['body over 4 KB in euro signs', json(ownSend('€'.repeat(1366)), refused('payload_too_large'))],
      ['body of whitespace', json(ownSend(' \n\t\u00a0\u3000 '), refused('validation_failed'))],
      ['empty body', json(ownSend(''), refused('validation_failed'))],
    ],
  ],
  [
    'unknown, odd and prototype-named actions',
    [
      ...oddActions.map(
        (action): Named<WsCase> => [`action ${JSON.stringify(action)}`, frameWithAction(action)],
      ),
      generated('action of nasty text', (g) => frameWithAction(() => g.text())),
      ['no action', json(() => ({ conversationId: w.own, body: 'b' }), refused('validation_failed'))],
      [
        'duplicate action keys',
        raw(
          () => `{"action":"heartbeat","action":"markRead","conversationId":"${w.victim}","seq":1}`,
          refused('not_member'),
        ),
      ],
    ],
  ],
  ...Object.entries(validFrames).map(
    ([action, valid]): Named<Named<WsCase>[]> => [action, framesFor(action, valid)],
  ),
  [
    'clientMessageId, seq and isTyping out of range',
    [
      ...forgedIds.map(
        (id): Named<WsCase> => [
          `clientMessageId ${idLabel(id)}`,
          json(ownSend('hi', { clientMessageId: id }), refused('validation_failed')),
        ],
      ),
      ...badSeqs.map(
        (seq): Named<WsCase> => [
          `markRead seq ${seqLabel(seq)}`,
          raw(() => `{"action":"markRead","conversationId":"${w.own}","seq":${seqJson(seq)}}`),
        ],
      ),
      ...['yes', 1, 0, null, 'true', []].map(
        (isTyping): Named<WsCase> => [
          `typing isTyping ${JSON.stringify(isTyping)}`,
          json(() => ({ action: 'typing', conversationId: w.own, isTyping }), refused('validation_failed')),
        ],
      ),
    ],
  ],
  [
    'random frames: each field valid, forged or of a wrong type',
    times(40, (i) =>
      generated(`random frame #${i}`, (g) =>
        json(() => {
          const field = () =>
            g.pick<unknown>([w.victim, g.pick(forgedIds), g.wrongValue(), g.text(), undefined]);
          const action = g.pick(['sendMessage', 'typing', 'markRead']);
          return {
            action,
            conversationId: field(),
            clientMessageId: field(),
            body: field(),
            seq: field(),
            isTyping: field(),
          };
        }),
      ),
    ),
  ],
  [
    'unicode bodies: text is kept, a lone surrogate refused',
    [
      ...unicodeBodies.map(
        (body): Named<WsCase> => [
          `unicode body ${JSON.stringify(body.slice(0, 12))}`,
          json(ownSend(body), anyAnswer),
        ],
      ),
      ...['\\ud800', 'a\\udc00b', '\\ud83d', 'x\\ude00'].map(
        (lone): Named<WsCase> => [`lone surrogate ${lone}`, raw(loneSurrogateSend(lone))],
      ),
    ],
  ],
];

const isOpen = (socket: ChatSocket) => socket.socket.readyState === socket.socket.OPEN;

/** Sends one frame on mallory's socket and answers the error (or ack) event it got back. */
async function answerTo(frame: string | Buffer): Promise<Event> {
  const socket = mallorySocket();
  const before = socket.events.length;
  if (typeof frame === 'string') socket.socket.send(frame);
  else socket.socket.send(frame, { binary: true });
  const isAnswer = (e: Event) =>
    socket.events.indexOf(e) >= before && (e.type === 'error' || e.type === 'message.ack');
  return socket.waitFor(isAnswer, 3000).catch(() => ({ type: 'timeout: no answer' }));
}

function rememberAck(answer: Event) {
  if (answer.type !== 'message.ack') return;
  const message = answer.message as Json;
  acked.push({ body: (message.body as string) ?? '', messageId: message.messageId as string });
}

// ---------------------------------------------------------------------------------------------------------
// Hostile HTTP requests, a few at a time, from rotating attackers

interface HttpCase {
  method: string;
  /** A path with placeholders (see `resolve`). */
  path: Lazy<string>;
  body?: Lazy<unknown>;
  expect: Expectation;
  as: UserName;
}
let turn = 0;
const nextAttacker = () => attackerNames[turn++ % attackerNames.length] as UserName;
const http = (
  method: string,
  path: Lazy<string>,
  body?: Lazy<unknown>,
  expected = refused(),
  as: UserName = nextAttacker(),
): HttpCase => ({ method, path, ...(body === undefined ? {} : { body }), expect: expected, as });
/** As `http`, always from mallory (she is a member of `{own}`). */
const fromMallory = (
  method: string,
  path: Lazy<string>,
  body: Lazy<unknown> | undefined,
  expected: Expectation,
) => http(method, path, body, expected, 'mallory');

const memberIds = (n: number) => times(n, (i) => `u${i}`);

/** Routes with a body, aimed at the victim's conversation. */
const bodyRoutes: [method: string, path: string][] = [
  ['POST', '/conversations'],
  ['POST', '/conversations/{victim}/members'],
  ['POST', '/conversations/{victim}/messages'],
  ['PATCH', '/conversations/{victim}/messages/{victimMessage0}'],
  ['POST', '/conversations/{victim}/read'],
];
const notJsonObjects = ['not json', '{', '[]', 'null', '42', '"x"', '{"a":1}garbage'];

/** Bodies that are not JSON objects, random bytes, deep nesting, too large. */
const unreadableBodies = (method: string, path: string): Named<HttpCase>[] => [
  ...times(5, (i) =>
    generated(`random bytes #${i}`, (g) =>
      http(method, path, () => g.bytes(1 + g.int(3000)), refused('validation_failed')),
    ),
  ),
  ...notJsonObjects.map(
    (text): Named<HttpCase> => [`body ${text}`, http(method, path, text, refused('validation_failed'))],
  ),
  generated('body of nasty text then {', (g) =>
    http(method, path, () => `${g.text()}{`, refused('validation_failed')),
  ),
  ['nested arrays 5000', http(method, path, nestedArrays(5000), refused('validation_failed'))],
  ['nested objects 1500', http(method, path, nestedObjects(1500), refused('validation_failed'))],
  ...[16 * 1024 + 1, 100 * 1024, 1024 * 1024].map(
    (size): Named<HttpCase> => [
      `body of ${size} bytes`,
      http(method, path, JSON.stringify({ pad: 'x'.repeat(size) }), refused('payload_too_large')),
    ],
  ),
];

/** Valid bodies of mallory's own requests, whose fields get broken one at a time. */
const bodyShapes: [method: string, path: string, shape: () => Json][] = [
  ['POST', '/conversations', () => ({ type: 'group', name: 'g', memberIds: [w.users.bob] })],
  ['POST', '/conversations/{own}/members', () => ({ userIds: [w.users.trent] })],
  ['POST', '/conversations/{own}/messages', () => ({ clientMessageId: 'c-x', body: 'b' })],
  ['PATCH', '/conversations/{own}/messages/{ownMessage}', () => ({ body: 'b' })],
  ['POST', '/conversations/{own}/read', () => ({ seq: 1 })],
];

/** Wrong types and missing fields for every field of one body, and fields only in `__proto__`. */
function brokenFields(method: string, path: string, shape: () => Json): Named<HttpCase>[] {
  return [
    ...Object.keys(shape()).flatMap((field): Named<HttpCase>[] => [
      ...times(6, (i) =>
        generated(`${field} of a wrong type #${i}`, (g) =>
          fromMallory(
            method,
            path,
            () => ({ ...shape(), [field]: g.wrongValueFor(field) }),
            refused('validation_failed'),
          ),
        ),
      ),
      [
        `without ${field}`,
        fromMallory(
          method,
          path,
          () => {
            const { [field]: _missing, ...rest } = shape();
            return rest;
          },
          refused('validation_failed'),
        ),
      ],
    ]),
    [
      'fields only in __proto__',
      fromMallory(
        method,
        path,
        () => `{"__proto__":${JSON.stringify(shape())}}`,
        refused('validation_failed'),
      ),
    ],
  ];
}

const limitsAndOddBodies: Named<HttpCase>[] = [
  ...['-1', '1.5', '1e400', String(2 ** 53 + 2), '"1"', 'null'].map(
    (seq): Named<HttpCase> => [
      `read seq ${seq}`,
      fromMallory('POST', '/conversations/{own}/read', `{"seq":${seq}}`, refused('validation_failed')),
    ],
  ),
  [
    'create group with 101 members',
    http(
      'POST',
      '/conversations',
      { type: 'group', name: 'big', memberIds: memberIds(101) },
      refused('validation_failed'),
    ),
  ],
  [
    'create group with 51 members',
    http(
      'POST',
      '/conversations',
      { type: 'group', name: 'big', memberIds: memberIds(51) },
      refused('validation_failed'),
    ),
  ],
  [
    'add 101 members',
    fromMallory(
      'POST',
      '/conversations/{own}/members',
      { userIds: memberIds(101) },
      refused('validation_failed'),
    ),
  ],
  [
    'direct with itself',
    fromMallory(
      'POST',
      '/conversations',
      () => ({ type: 'direct', memberIds: [w.users.mallory] }),
      refused('validation_failed'),
    ),
  ],
  [
    'direct with two',
    http(
      'POST',
      '/conversations',
      () => ({ type: 'direct', memberIds: [w.users.alice, w.users.bob] }),
      refused('validation_failed'),
    ),
  ],
  [
    'group name too long',
    http(
      'POST',
      '/conversations',
      () => ({ type: 'group', name: 'n'.repeat(101), memberIds: [w.users.bob] }),
      refused('validation_failed'),
    ),
  ],
  [
    'group name blank',
    http(
      'POST',
      '/conversations',
      () => ({ type: 'group', name: ' \u3000 ', memberIds: [w.users.bob] }),
      refused('validation_failed'),
    ),
  ],
  [
    'type __proto__',
    http(
      'POST',
      '/conversations',
      () => ({ type: '__proto__', memberIds: [w.users.bob] }),
      refused('validation_failed'),
    ),
  ],
  [
    'group name lone surrogate',
    http(
      'POST',
      '/conversations',
      '{"type":"group","name":"\\ud800","memberIds":["x"]}',
      refused('validation_failed'),
    ),
  ],
  [
    'body lone surrogate',
    fromMallory(
      'POST',
      '/conversations/{own}/messages',
      '{"clientMessageId":"ls","body":"a\\udc00"}',
      refused('validation_failed'),
    ),
  ],
  [
    'edit to lone surrogate',
    fromMallory(
      'PATCH',
      '/conversations/{own}/messages/{ownMessage}',
      '{"body":"\\ud83d"}',
      refused('validation_failed'),
    ),
  ],
  [
    'edit over 4 KB',
    fromMallory(
      'PATCH',
      '/conversations/{own}/messages/{ownMessage}',
      { body: 'x'.repeat(4097) },
      refused('payload_too_large'),
    ),
  ],
  [
    'edit to blank',
    fromMallory(
      'PATCH',
      '/conversations/{own}/messages/{ownMessage}',
      { body: ' \n ' },
      refused('validation_failed'),
    ),
  ],
  ...['\u202eevil', 'שלום', '\u200b', '👩‍👩‍👧‍👦', '<img src=x>'].map(
    (name): Named<HttpCase> => [
      `group named ${JSON.stringify(name)}`,
      http('POST', '/conversations', () => ({ type: 'group', name, memberIds: [w.users.trent] }), anyAnswer),
    ],
  ),
];

/** Routes with a conversation id in the path (`{id}`), and the body each takes. */
const pathRoutes: [method: string, path: string, body?: Lazy<Json>][] = [
  ['GET', '/conversations/{id}'],
  ['GET', '/conversations/{id}/messages'],
  ['POST', '/conversations/{id}/messages', { clientMessageId: 'c', body: 'b' }],
  ['POST', '/conversations/{id}/members', () => ({ userIds: [w.users.mallory] })],
  ['DELETE', '/conversations/{id}/members/{mallory}'],
  ['PATCH', '/conversations/{id}/messages/{victimMessage0}', { body: 'b' }],
  ['DELETE', '/conversations/{id}/messages/{victimMessage1}'],
  ['POST', '/conversations/{id}/read', { seq: 1 }],
];
const withId = (path: string, id: string) => path.replace('{id}', id);
/** Forged ids in the path parameter (percent-encoded, so each stays one path segment), and others' ids. */
function forgedPaths(method: string, path: string, body?: Lazy<Json>): Named<HttpCase>[] {
  const others: Named<Lazy<string>>[] = [
    ['the victim’s id', () => withId(path, w.victim)],
    ['the victim’s id in lower case', () => withId(path, w.victim.toLowerCase())],
    ['the victim’s id and -x', () => withId(path, `${w.victim}-x`)],
    ['META', withId(path, 'META')],
  ];
  return [
    ...forgedSegments.map(
      (id): Named<HttpCase> => [
        `forged ${idLabel(id)}`,
        http(method, withId(path, enc(id)), body, refused('validation_failed')),
      ],
    ),
    ...others.map(
      ([name, other]): Named<HttpCase> => [
        `someone else’s: ${name}`,
        http(method, other, body, refused('not_member')),
      ],
    ),
    ['raw %00', http(method, withId(path, '%00'), body, refused('validation_failed'))],
  ];
}

const forgedIdsElsewhere: Named<HttpCase>[] = [
  ...forgedSegments.map(
    (userId): Named<HttpCase> => [
      `DELETE member ${idLabel(userId)}`,
      fromMallory(
        'DELETE',
        `/conversations/{own}/members/${enc(userId)}`,
        undefined,
        refused('validation_failed'),
      ),
    ],
  ),
  ...[
    '0-X',
    '1-X',
    '999999999999999-X',
    '1e3-X',
    '01-X',
    'X',
    '{victimMessage0}',
    '{victimMessage2}',
  ].flatMap((messageId) =>
    ['PATCH', 'DELETE'].map(
      (method): Named<HttpCase> => [
        `${method} own message ${messageId}`,
        fromMallory(
          method,
          () => `/conversations/{own}/messages/${enc(resolve(messageId))}`,
          method === 'PATCH' ? { body: 'x' } : undefined,
          refused('not_found'),
        ),
      ],
    ),
  ),
  ...forgedSegments.map(
    (messageId): Named<HttpCase> => [
      `PATCH messageId ${idLabel(messageId)}`,
      fromMallory(
        'PATCH',
        `/conversations/{own}/messages/${enc(messageId)}`,
        { body: 'x' },
        refused('validation_failed'),
      ),
    ],
  ),
];

const badHistoryQueries = [
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
];
const oddButValidHistoryQueries = [
  'limit=0x10',
  'limit=%205',
  'before=1e3',
  'limit=1&limit=2',
  'after=0',
  'unknown=1&__proto__=x',
];

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** Inbox cursors that are not one mallory was given. */
const badCursors: Named<() => string>[] = [
  ['garbage', () => 'garbage'],
  ['not base64 JSON', () => b64('{{{')],
  ['an array', () => b64([1, 2])],
  ['null', () => b64(null)],
  ['a number', () => b64(42)],
  [
    'another user’s partition',
    () =>
      b64({
        gsi1pk: `USER#${w.users.alice}`,
        gsi1sk: 'x',
        pk: `CONV#${w.victim}`,
        sk: `MEMBER#${w.users.alice}`,
      }),
  ],
  ['alice’s real cursor', () => w.aliceCursor],
  ['only the partition', () => b64({ gsi1pk: `USER#${w.users.mallory}` })],
  ['missing the table key', () => b64({ gsi1pk: `USER#${w.users.mallory}`, gsi1sk: 'x' })],
  [
    'an extra key',
    () =>
      b64({
        gsi1pk: `USER#${w.users.mallory}`,
        gsi1sk: 'x',
        pk: `CONV#${w.own}`,
        sk: `MEMBER#${w.users.mallory}`,
        extra: 'y',
      }),
  ],
  ['empty key values', () => b64({ gsi1pk: `USER#${w.users.mallory}`, gsi1sk: '', pk: '', sk: '' })],
  [
    'a number value',
    () =>
      b64({
        gsi1pk: `USER#${w.users.mallory}`,
        gsi1sk: 1,
        pk: `CONV#${w.own}`,
        sk: `MEMBER#${w.users.mallory}`,
      }),
  ],
  [
    'a nested value',
    () =>
      b64({
        gsi1pk: `USER#${w.users.mallory}`,
        gsi1sk: { S: 'x' },
        pk: `CONV#${w.own}`,
        sk: `MEMBER#${w.users.mallory}`,
      }),
  ],
  [
    'the victim’s meta item',
    () => b64({ gsi1pk: `USER#${w.users.mallory}`, gsi1sk: 'x', pk: `CONV#${w.victim}`, sk: 'META' }),
  ],
  [
    'a presence item',
    () =>
      b64({ gsi1pk: `USER#${w.users.mallory}`, gsi1sk: 'x', pk: `USER#${w.users.alice}`, sk: 'PRESENCE' }),
  ],
  [
    '__proto__ keys',
    () =>
      b64(
        JSON.parse(
          `{"gsi1pk":"USER#${w.users.mallory}","__proto__":{"gsi1sk":"x","pk":"CONV#a","sk":"MEMBER#b"}}`,
        ),
      ),
  ],
  ['too long', () => 'c'.repeat(600)],
];
const presenceIds = (n: number) => times(n, (i) => `p${i}`).join(',');

const queries: Named<HttpCase>[] = [
  ...badHistoryQueries.map(
    (q): Named<HttpCase> => [
      `history ?${q.slice(0, 30)}`,
      fromMallory('GET', `/conversations/{own}/messages?${q}`, undefined, refused('validation_failed')),
    ],
  ),
  ...oddButValidHistoryQueries.map(
    (q): Named<HttpCase> => [
      `history odd but valid ?${q}`,
      fromMallory('GET', `/conversations/{own}/messages?${q}`, undefined, anyAnswer),
    ],
  ),
  ...badCursors.map(
    ([name, cursor]): Named<HttpCase> => [
      `inbox cursor ${name}`,
      fromMallory(
        'GET',
        () => `/conversations?cursor=${enc(cursor())}`,
        undefined,
        refused('validation_failed'),
      ),
    ],
  ),
  ...['limit=0', 'limit=abc', 'limit=101', 'limit=-5'].map(
    (q): Named<HttpCase> => [
      `inbox ?${q}`,
      fromMallory('GET', `/conversations?${q}`, undefined, refused('validation_failed')),
    ],
  ),
  ...[
    ['101 ids', `userIds=${presenceIds(101)}`],
    ['no ids', 'userIds='],
    ['only commas', 'userIds=,,,'],
    ['no parameter', ''],
    ['a forged id', `userIds=${enc('USER#bob')}`],
    ['a long id', `userIds=${'x'.repeat(200)}`],
  ].map(
    ([name, q]): Named<HttpCase> => [
      `presence ${name}`,
      http('GET', `/presence?${q}`, undefined, refused('validation_failed')),
    ],
  ),
  ['presence 100 ids', http('GET', `/presence?userIds=${presenceIds(100)}`, undefined, anyAnswer)],
  [
    'presence 150 copies of one id',
    http('GET', `/presence?userIds=${Array(150).fill('p1').join(',')}`, undefined, anyAnswer),
  ],
];

/** A random route at the victim's conversation or a forged id, with a random body: refused whatever it is. */
function randomRequest(g: Hostile): HttpCase {
  const [method, path] = g.pick(pathRoutes);
  const id = g.pick(['{victim}', enc(g.pick(forgedSegments)), 'nope']);
  const body = () =>
    g.pick<unknown>([
      g.wrongValue(),
      { clientMessageId: g.pick([g.text(), g.wrongValue()]), body: g.pick([g.text(), g.wrongValue()]) },
      { seq: g.wrongValue() },
      { userIds: [g.wrongValue(), g.text()] },
      g.text(),
    ]);
  return http(method, withId(path, id), method === 'GET' || method === 'DELETE' ? undefined : body);
}

const httpFamilies: Named<Named<HttpCase>[]>[] = [
  ...bodyRoutes.map(
    ([method, path]): Named<Named<HttpCase>[]> => [
      `${method} ${path}: unreadable bodies`,
      unreadableBodies(method, path),
    ],
  ),
  ...bodyShapes.map(
    ([method, path, shape]): Named<Named<HttpCase>[]> => [
      `${method} ${path}: broken fields`,
      brokenFields(method, path, shape),
    ],
  ),
  ['limits and odd bodies', limitsAndOddBodies],
  ...pathRoutes.map(
    ([method, path, body]): Named<Named<HttpCase>[]> => [
      `${method} ${path}: forged and others’ ids`,
      forgedPaths(method, path, body),
    ],
  ),
  ['forged member and message ids', forgedIdsElsewhere],
  ['query parameters and cursors', queries],
  ['random requests', times(40, (i) => generated(`random request #${i}`, randomRequest))],
];

const encodeBody = (body: unknown) =>
  typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body);

/** Sends one hostile request as its user and answers the status and the raw text. */
async function send(hostile: HttpCase): Promise<{ status: number; text: string }> {
  const body = lazy(hostile.body);
  const answer = await fetch(`${t.httpUrl}${resolve(lazy(hostile.path))}`, {
    method: hostile.method,
    headers: {
      authorization: `Bearer ${await t.tokenFor(w.users[hostile.as])}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: encodeBody(body) }),
  });
  return { status: answer.status, text: await answer.text() };
}

const countOf = (families: Named<unknown[]>[]) => families.reduce((sum, [, cases]) => sum + cases.length, 0);
const allMalloryEvents = () => w.mallorySockets.flatMap((socket) => socket.events);

// ---------------------------------------------------------------------------------------------------------

describe(`hostile input (seeds from ${firstSeed})`, () => {
  beforeAll(setUpVictimsAndAttackers);
  afterAll(() => sockets.closeAll());

  describe('WebSocket frames: a protocol error event for each, and the socket stays open', () => {
    beforeEach(async () => {
      // A frame that closed the socket fails its own case; the next cases get a new socket.
      if (!isOpen(mallorySocket())) w.mallorySockets.push(await sockets.open(w.users.mallory));
    });

    describe.for(wsFamilies)('%s', ([, cases]) => {
      it.for(cases)('%s', async ([, hostile], { expect }) => {
        const answer = await answerTo(hostile.frame());
        rememberAck(answer);
        expect(
          { problem: wsAnswerProblem(answer, hostile.expect), socketOpen: isOpen(mallorySocket()) },
          `answer ${JSON.stringify(answer).slice(0, 300)}`,
        ).toEqual({ problem: undefined, socketOpen: true });
      });
    });

    it('sent at least 300 frames, on one socket that still answers heartbeats', async () => {
      expect(countOf(wsFamilies)).toBeGreaterThanOrEqual(300);
      expect(w.mallorySockets, 'no frame closed mallory’s socket').toHaveLength(1);
      mallorySocket().send({ action: 'heartbeat', reply: true });
      await mallorySocket().waitFor((e) => e.type === 'pong');
      expect(isOpen(mallorySocket())).toBe(true);
      expect(allMalloryEvents().filter((e) => typeof e.type !== 'string')).toEqual([]);
    });
  });

  describe.concurrent('HTTP requests: a protocol error of a fitting status for each', () => {
    describe.for(httpFamilies)('%s', ([, cases]) => {
      it.for(cases.map(([name, hostile]): Named<HttpCase> => [`${name}, as ${hostile.as}`, hostile]))(
        '%s',
        async ([, hostile], { expect }) => {
          const { status, text } = await send(hostile);
          expect(
            httpAnswerProblem(status, text, hostile.expect),
            `answer ${status} ${text.slice(0, 300)}`,
          ).toBeUndefined();
        },
      );
    });

    it('sent at least 300 requests', () => {
      expect(countOf(httpFamilies)).toBeGreaterThanOrEqual(300);
    });
  });

  describe('afterwards', () => {
    it('changed nothing of the victims’ conversation and leaked nothing to the attackers', async () => {
      expect(await victimSnapshot()).toEqual(victimBefore);
      for (const name of attackerNames) {
        const attacker = w.users[name];
        const inbox = await api(t, attacker, 'GET', '/conversations?limit=100');
        expect(JSON.stringify(inbox.body)).not.toMatch(new RegExp(`${w.victim}|secret`));
        const unread = await api(t, attacker, 'GET', '/unread');
        expect(JSON.stringify(unread.body)).not.toContain(w.victim);
      }
      // Error events may echo what mallory sent herself (a clientMessageId); anything else must not name the victim.
      const heard = allMalloryEvents().filter((e) => e.type !== 'error');
      expect(JSON.stringify(heard)).not.toMatch(new RegExp(`${w.victim}|secret`));
      expect(JSON.stringify(allMalloryEvents().map((e) => e.message))).not.toMatch(/secret/);
      const attackers = attackerNames.map((name) => w.users[name]);
      const fromAttackers = w.bobSocket.events.filter((e) =>
        attackers.some((a) => JSON.stringify(e).includes(a)),
      );
      expect(fromAttackers).toEqual([]);
    });

    it('still has every earlier message readable by its members', async () => {
      const victim = await api(t, w.users.bob, 'GET', `/conversations/${w.victim}/messages?after=0`);
      expect(victim.body.items.map((m: Json) => m.body)).toEqual([
        'first secret',
        'second secret',
        'שלום 😀 third',
      ]);
      const own = await api(t, w.users.trent, 'GET', `/conversations/${w.own}/messages?after=0&limit=100`);
      expect(own.status).toBe(200);
      const bodies = new Map(own.body.items.map((m: Json) => [m.messageId, m.body]));
      expect(bodies.get(w.ownMessage)).toBe('mine');
      expect(acked.length).toBeGreaterThan(5);
      for (const message of acked) expect(bodies.get(message.messageId)).toBe(message.body);
    });

    it('still serves normal traffic: send → ack → message.new', async () => {
      const aliceSocket = await sockets.open(w.users.alice);
      aliceSocket.send({
        action: 'sendMessage',
        conversationId: w.victim,
        clientMessageId: 'after-storm',
        body: 'all good?',
      });
      const ack = await aliceSocket.waitFor((e) => e.type === 'message.ack');
      expect(ack).toMatchObject({ clientMessageId: 'after-storm', message: { seq: 4, body: 'all good?' } });
      const delivered = await w.bobSocket.waitFor(
        (e) => e.type === 'message.new' && (e.message as Json).clientMessageId === 'after-storm',
        t.eventTimeoutMs,
      );
      expect(delivered).toMatchObject({ message: { messageId: (ack.message as Json).messageId } });
    });
  });
});

describe('frames and paths the gateway must not mistake for something else', () => {
  afterAll(() => sockets.closeAll());

  it('answers a frame whose action is "$disconnect" like any unknown action, and keeps delivering to the socket', async () => {
    const [victor, walter] = await t.newUsers('victor', 'walter');
    const socket = await sockets.open(victor);
    // Victor starts it, so his presence is Walter's to see (presence shows only where the user engaged).
    const conversation = await api(t, victor, 'POST', '/conversations', {
      type: 'direct',
      memberIds: [walter],
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

  it.for([
    ['GET', '/conversations/%E0%A4%A'],
    ['GET', '/conversations/%/messages'],
    ['POST', '/conversations/abc%zz/read'],
  ])(
    'answers the malformed percent-encoding %s %s with a protocol error, not a 500',
    async ([method, path], { expect }) => {
      const [mallory] = await t.newUsers('mallory');
      const answer = await api(
        t,
        mallory,
        method as string,
        path as string,
        method === 'POST' ? { seq: 1 } : undefined,
      ).catch((error: Error) => ({ status: -1, body: error.message }));
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: { error: { code: 'validation_failed', message: expect.any(String) } },
      });
    },
  );
});
