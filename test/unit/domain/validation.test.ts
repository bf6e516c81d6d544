import { describe, expect, it } from 'vitest';
import { limits } from '../../../shared/domain/limits.ts';
import {
  addMembersBody,
  conversationPath,
  createConversationBody,
  editMessageBody,
  inboxQuery,
  listMessagesQuery,
  markReadBody,
  markReadFrame,
  memberPath,
  messagePath,
  presenceQuery,
  sendMessageBody,
  sendMessageFrame,
  typingFrame,
} from '../../../shared/domain/schemas.ts';
import { messageBody, parseInput } from '../../../shared/domain/validate.ts';
import { ChatError } from '../../../shared/errors.ts';
import { parseFrame } from '../../../shared/handlers/websocket.ts';

/** The ChatError a call throws (fails the test when it throws nothing or something else). */
function thrown(call: () => unknown): ChatError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ChatError);
    return error as ChatError;
  }
  throw new Error('expected a ChatError, nothing was thrown');
}

const validationError = (call: () => unknown) => {
  const error = thrown(call);
  expect(error.code).toBe('validation_failed');
  expect(error.status).toBe(400);
  return error.message;
};

describe('parseInput names the field that is wrong', () => {
  it.each([
    [sendMessageFrame, { clientMessageId: 'c', body: 'x' }, 'conversationId'],
    [sendMessageFrame, { conversationId: 'c', body: 'x' }, 'clientMessageId'],
    [sendMessageFrame, { conversationId: 'c', clientMessageId: 'c' }, 'body'],
    [sendMessageFrame, { conversationId: 'a#b', clientMessageId: 'c', body: 'x' }, 'conversationId'],
    [sendMessageFrame, { conversationId: 'c', clientMessageId: 'c', body: 42 }, 'body'],
    [typingFrame, { conversationId: 'c', isTyping: 'yes' }, 'isTyping'],
    [typingFrame, { conversationId: 'c', isTyping: null }, 'isTyping'],
    [markReadFrame, { conversationId: 'c', seq: -1 }, 'seq'],
    [markReadFrame, { conversationId: 'c', seq: 1.5 }, 'seq'],
    [markReadFrame, { conversationId: 'c', seq: '3' }, 'seq'],
    [markReadFrame, { conversationId: 'c', seq: Number.MAX_SAFE_INTEGER + 2 }, 'seq'],
    [markReadFrame, { conversationId: 'c', seq: Number.POSITIVE_INFINITY }, 'seq'],
    [markReadBody, {}, 'seq'],
    [createConversationBody, { memberIds: ['b'] }, 'type'],
    [createConversationBody, { type: 'channel', memberIds: ['b'] }, 'type'],
    [createConversationBody, { type: '__proto__', memberIds: ['b'] }, 'type'],
    [createConversationBody, { type: 'direct', memberIds: ['b', 'c'] }, 'memberIds'],
    [createConversationBody, { type: 'group', name: 'g', memberIds: ['ok', 'CONV#x'] }, 'memberIds.1'],
    [createConversationBody, { type: 'group', name: '   ', memberIds: ['b'] }, 'name'],
    [createConversationBody, { type: 'group', name: 'n'.repeat(101), memberIds: ['b'] }, 'name'],
    [createConversationBody, { type: 'group', name: '\ud800', memberIds: ['b'] }, 'name'],
    [createConversationBody, { type: 'group', name: 'a\u0000b', memberIds: ['b'] }, 'name'],
    [createConversationBody, { type: 'group', name: '\u202eevil', memberIds: ['b'] }, 'name'],
    [createConversationBody, { type: 'group', name: '\u200b\u3164', memberIds: ['b'] }, 'name'],
    [createConversationBody, { type: 'group', name: 'g', memberIds: [] }, 'memberIds'],
    [addMembersBody, { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }, 'userIds'],
    [addMembersBody, { userIds: 'alice' }, 'userIds'],
    [editMessageBody, { body: null }, 'body'],
    [conversationPath, { conversationId: '../' }, 'conversationId'],
    [memberPath, { conversationId: 'c', userId: 'MEMBER#alice' }, 'userId'],
    [messagePath, { conversationId: 'c', messageId: '%00' }, 'messageId'],
    [listMessagesQuery, { limit: '0' }, 'limit'],
    [listMessagesQuery, { limit: 'abc' }, 'limit'],
    [listMessagesQuery, { limit: '101' }, 'limit'],
    [listMessagesQuery, { limit: '' }, 'limit'],
    [listMessagesQuery, { before: '0' }, 'before'],
    [listMessagesQuery, { before: '-1' }, 'before'],
    [listMessagesQuery, { after: '1.5' }, 'after'],
    [listMessagesQuery, { before: '3', after: '1' }, 'before'],
    [inboxQuery, { cursor: 'c'.repeat(513) }, 'cursor'],
    [presenceQuery, {}, 'userIds'],
    [presenceQuery, { userIds: '' }, 'userIds'],
    [presenceQuery, { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`).join(',') }, 'userIds'],
    [presenceQuery, { userIds: 'alice,a#b' }, 'userIds.1'],
  ])('%#: names %j → the field', (schema, input, field) => {
    const message = validationError(() => parseInput(schema, input));
    expect(message.startsWith(`${field}: `), message).toBe(true);
  });

  it('names the whole input when it is not an object', () => {
    for (const input of [null, 'x', 42, [], true, undefined]) {
      expect(validationError(() => parseInput(sendMessageBody, input))).toMatch(/^input: /);
    }
  });
});

describe('parseInput ignores unknown fields, the same way everywhere', () => {
  const hostileExtras = JSON.parse(
    '{"extra":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{},"action":"x","userId":"mallory","senderId":"mallory","role":"admin"}',
  ) as Record<string, unknown>;

  it.each([
    ['sendMessageFrame', sendMessageFrame, { conversationId: 'c', clientMessageId: 'm', body: 'hi' }],
    ['sendMessageBody', sendMessageBody, { clientMessageId: 'm', body: 'hi' }],
    ['typingFrame', typingFrame, { conversationId: 'c', isTyping: false }],
    ['markReadFrame', markReadFrame, { conversationId: 'c', seq: 3 }],
    ['markReadBody', markReadBody, { seq: 3 }],
    ['editMessageBody', editMessageBody, { body: 'x' }],
    ['addMembersBody', addMembersBody, { userIds: ['a'] }],
    ['createConversationBody direct', createConversationBody, { type: 'direct', memberIds: ['b'] }],
    ['createConversationBody group', createConversationBody, { type: 'group', name: 'g', memberIds: ['b'] }],
    ['conversationPath', conversationPath, { conversationId: 'c' }],
    ['memberPath', memberPath, { conversationId: 'c', userId: 'u' }],
    ['messagePath', messagePath, { conversationId: 'c', messageId: '1-X' }],
  ] as const)('%s strips them and keeps only its own fields', (_name, schema, valid) => {
    const plain = parseInput(schema, valid);
    const withExtras = parseInput(schema, { ...hostileExtras, ...valid });
    expect(withExtras).toEqual(plain);
    expect(Object.keys(withExtras).sort()).toEqual(Object.keys(plain).sort());
    expect(Object.getPrototypeOf(withExtras)).toBe(Object.prototype);
    expect((withExtras as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives a frame and the matching HTTP body the same parsed fields', () => {
    const frame = parseInput(sendMessageFrame, {
      action: 'sendMessage',
      conversationId: 'c',
      ...hostileExtras,
      clientMessageId: 'm',
      body: 'b',
    });
    const body = parseInput(sendMessageBody, { ...hostileExtras, clientMessageId: 'm', body: 'b' });
    expect(frame).toEqual({ conversationId: 'c', ...body });
  });

  it('fills defaults only for missing fields', () => {
    expect(parseInput(typingFrame, { conversationId: 'c' })).toEqual({ conversationId: 'c', isTyping: true });
    expect(parseInput(listMessagesQuery, {})).toEqual({ limit: limits.defaultPageLimit });
    expect(parseInput(presenceQuery, { userIds: 'a,,a,b' })).toEqual({ userIds: ['a', 'b'] });
  });
});

describe('messageBody', () => {
  const max = limits.maxMessageBodyBytes;

  it('trims and accepts a body of exactly the limit, counted in UTF-8 bytes after trimming', () => {
    expect(messageBody('  hi \n')).toBe('hi');
    expect(messageBody('x'.repeat(max))).toHaveLength(max);
    expect(messageBody(`${' '.repeat(500)}${'x'.repeat(max)}\n\n`)).toHaveLength(max);
    expect(messageBody('😀'.repeat(max / 4))).toBe('😀'.repeat(max / 4));
  });

  it.each([
    ['one byte over', 'x'.repeat(max + 1)],
    ['multi-byte over although short in UTF-16 units', '€'.repeat(Math.ceil((max + 1) / 3))],
    ['an emoji over', `${'😀'.repeat(max / 4)}x`],
    ['far over', 'x'.repeat(max * 10)],
  ])('answers payload_too_large for a body %s', (_what, body) => {
    const error = thrown(() => messageBody(body));
    expect(error.code).toBe('payload_too_large');
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/^body /);
  });

  it.each([
    ['empty', ''],
    ['spaces', '     '],
    ['newlines and tabs', '\n\t\r\n'],
    ['no-break space', '\u00a0'],
    ['byte order mark', '\ufeff'],
    ['ideographic and line separators', '\u3000\u2028\u2029'],
  ])('answers validation_failed naming body for a body that is %s after trimming', (_what, body) => {
    expect(validationError(() => messageBody(body))).toMatch(/^body: must not be empty/);
  });

  it('refuses a lone surrogate, which is not text (it cannot be encoded as UTF-8)', () => {
    for (const body of ['\ud800', 'a\udc00b', '😀\ud83d', '\ude00x']) {
      expect(validationError(() => messageBody(body))).toMatch(/^body: /);
    }
  });

  it('keeps unicode edge cases that are text: RTL, zero-width, combining, emoji', () => {
    for (const body of ['שלום abc', 'a\u200bb', 'e\u0301', '👩‍👩‍👧‍👦']) {
      expect(messageBody(body)).toBe(body);
    }
  });
});

describe('parseFrame', () => {
  it('answers payload_too_large for a frame one byte over the limit, before parsing it', () => {
    const frame = JSON.stringify({ action: 'heartbeat', pad: '' });
    const padded = frame.replace(
      '"pad":""',
      `"pad":"${'x'.repeat(limits.maxPayloadBytes - frame.length + 1)}"`,
    );
    expect(Buffer.byteLength(padded)).toBe(limits.maxPayloadBytes + 1);
    expect(thrown(() => parseFrame(padded)).code).toBe('payload_too_large');
    expect(parseFrame(padded.replace('xx', 'x'))).toMatchObject({ action: 'heartbeat' });
  });

  it.each([
    ['not JSON', 'hello', /^frame: is not valid JSON/],
    ['empty', '', /^frame: is not valid JSON/],
    ['missing', undefined, /^frame: is not valid JSON/],
    ['an array', '[]', /^frame: must be a JSON object/],
    ['null', 'null', /^frame: must be a JSON object/],
    ['a number', '1e400', /^frame: must be a JSON object/],
    ['a string', '"sendMessage"', /^frame: must be a JSON object/],
  ])('answers validation_failed for a frame that is %s', (_what, text, message) => {
    expect(validationError(() => parseFrame(text))).toMatch(message);
  });
});

describe('message bodies of invisible characters only', () => {
  it('refuses a body made only of zero-width characters as empty', () => {
    expect(() => messageBody('\u200b\u200d\ufeff ')).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
    expect(messageBody('a\u200bb')).toBe('a\u200bb');
  });
});

describe('message bodies: control characters, line endings, deceptive formatting, invisible-only text', () => {
  it.each([
    ['newline', 'line 1\nline 2'],
    ['tab', 'a\tb'],
    ['blank lines and indentation inside', 'a\n\n\t- b\n\t- c'],
    ['line and paragraph separators inside', 'a\u2028b\u2029c'],
    ['ZWJ emoji sequences', '👨‍👩‍👧 👩🏽‍💻 🏳️‍🌈'],
    ['variation selectors', '❤️ ☺︎ 1️⃣'],
    [
      'a subdivision flag (emoji tag sequence)',
      'go 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}!',
    ],
    ['Persian with ZWNJ', 'می\u200cخواهم'],
    ['Devanagari with ZWJ and ZWNJ', 'क्\u200dष क्\u200cष'],
    ['Malayalam chillu with ZWJ', 'ന്\u200d'],
    ['Hebrew and Arabic with direction marks', 'שלום \u200f123\u200f and مرحبا \u061c1'],
    ['zero-width space, word joiner and soft hyphen inside text', 'a\u200bb\u2060c\u00add'],
    ['combining marks', 'e\u0301 a\u0308'],
    ['Hangul text', '안녕하세요'],
    ['braille text', '⠓⠊'],
  ])('accepts %s', (_what, body) => {
    expect(messageBody(body)).toBe(body);
  });

  it('makes CRLF and a lone CR a newline, then trims', () => {
    expect(messageBody('a\r\nb\r\n')).toBe('a\nb');
    expect(messageBody('a\rb')).toBe('a\nb');
    expect(messageBody('\r\n\r\nhi\r\n\r\n')).toBe('hi');
    expect(messageBody('a\r\n\r\nb')).toBe('a\n\nb');
  });

  it.each([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['BEL', 'ding\u0007', 'U+0007'],
    ['backspace', 'abc\u0008\u0008x', 'U+0008'],
    ['escape (ANSI colour)', '\u001b[31mred', 'U+001B'],
    ['vertical tab inside', 'a\u000bb', 'U+000B'],
    ['form feed inside', 'a\u000cb', 'U+000C'],
    ['unit separator', 'a\u001fb', 'U+001F'],
    ['DEL', 'a\u007fb', 'U+007F'],
    ['C1 next line', 'a\u0085b', 'U+0085'],
    ['C1 CSI', 'a\u009b31m', 'U+009B'],
  ])('refuses a control character: %s', (_what, body, codePoint) => {
    const message = validationError(() => messageBody(body));
    expect(message).toMatch(
      /^body: must not contain control characters \(only newline and tab are allowed\)/,
    );
    expect(message).toContain(codePoint);
  });

  it.each([
    ['right-to-left override', 'invoice\u202egnp.exe', 'U+202E'],
    ['left-to-right override', 'a\u202db', 'U+202D'],
    ['left-to-right embedding', 'a\u202ab', 'U+202A'],
    ['right-to-left embedding', 'a\u202bb', 'U+202B'],
    ['pop directional formatting', 'a\u202cb', 'U+202C'],
    ['left-to-right isolate', 'a\u2066b\u2069', 'U+2066'],
    ['right-to-left isolate', 'a\u2067b', 'U+2067'],
    ['first strong isolate', 'a\u2068b', 'U+2068'],
    ['pop directional isolate', 'a\u2069b', 'U+2069'],
    ['deprecated digit shape control', 'a\u206fb', 'U+206F'],
    ['interlinear annotation', 'a\ufff9hidden\ufffab\ufffb', 'U+FFF9'],
    ['language tag', 'a\u{E0001}b', 'U+E0001'],
  ])('refuses deceptive formatting: %s', (_what, body, codePoint) => {
    const message = validationError(() => messageBody(body));
    expect(message).toMatch(/^body: must not contain bidi overrides, isolates or hidden formatting/);
    expect(message).toContain(codePoint);
  });

  it('refuses tag characters that hide ASCII outside an emoji flag', () => {
    const smuggled = `hello${[...'ignore'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}`;
    expect(validationError(() => messageBody(smuggled))).toMatch(
      /^body: must not contain tag characters outside an emoji flag: U\+E0069/,
    );
    expect(validationError(() => messageBody('🏴\u{E0067}\u{E0062} a\u{E007F}'))).toMatch(/^body: .*tag/);
  });

  it.each([
    ['zero-width space', '\u200b'],
    ['zero-width joiners and non-joiners', '\u200d\u200c\u200d'],
    ['word joiner and BOM', '\u2060\ufeff\u2060'],
    ['direction marks', '\u200e\u200f\u061c'],
    ['soft hyphen', '\u00ad'],
    ['variation selectors', '\ufe0f\ufe0e'],
    ['an ideographic variation selector', '\u{E0100}'],
    ['combining grapheme joiner', '\u034f'],
    ['Hangul filler', '\u3164'],
    ['halfwidth Hangul filler', '\uffa0'],
    ['Hangul choseong and jungseong fillers', '\u115f\u1160'],
    ['braille blank', '\u2800\u2800'],
    ['Khmer inherent vowels', '\u17b4\u17b5'],
    ['Mongolian vowel separator and free variation selector', '\u180e\u180b'],
    ['tag characters', '\u{E0041}\u{E007F}'],
    ['a bidi override', '\u202e'],
    ['invisible characters between spaces and newlines', ' \u200b\n\u3164\t\u2800 '],
  ])('refuses a body of only invisible characters: %s', (_what, body) => {
    expect(validationError(() => messageBody(body))).toMatch(
      /^body: must not be empty or only invisible characters/,
    );
  });
});

describe('group names: one line of visible, well-formed text', () => {
  const group = (name: string) => ({ type: 'group', name, memberIds: ['b'] });
  const parsedName = (name: string) =>
    (parseInput(createConversationBody, group(name)) as { name: string }).name;

  it.each([
    ['plain', 'Team', 'Team'],
    ['trimmed', '  Team \n', 'Team'],
    ['ZWJ emoji and variation selectors', '👨‍👩‍👧 Family ❤️', '👨‍👩‍👧 Family ❤️'],
    ['Persian with ZWNJ', 'گروه می\u200cخواهم', 'گروه می\u200cخواهم'],
    ['Hindi with ZWJ', 'क्\u200dष टीम', 'क्\u200dष टीम'],
    ['Hebrew with a direction mark', 'צוות 2024\u200f', 'צוות 2024\u200f'],
    [
      'a subdivision flag',
      '🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F} Cymru',
      '🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F} Cymru',
    ],
  ])('accepts %s', (_what, name, stored) => {
    expect(parsedName(name)).toBe(stored);
  });

  it.each([
    ['a newline inside', 'a\nb', /^name: must not contain control characters: U\+000A/],
    ['a CRLF inside', 'a\r\nb', /^name: must not contain control characters: U\+000D/],
    ['a tab inside', 'a\tb', /^name: must not contain control characters: U\+0009/],
    ['NUL', 'a\u0000b', /^name: must not contain control characters: U\+0000/],
    ['escape', '\u001b[2Jx', /^name: must not contain control characters: U\+001B/],
    ['C1 control', 'a\u0085b', /^name: must not contain control characters: U\+0085/],
    ['DEL', 'a\u007f', /^name: must not contain control characters: U\+007F/],
    ['a line separator', 'a\u2028b', /^name: must not contain line breaks: U\+2028/],
    ['a paragraph separator', 'a\u2029b', /^name: must not contain line breaks: U\+2029/],
    ['a right-to-left override', 'Admins\u202e', /^name: must not contain bidi overrides.*U\+202E/],
    ['an isolate', '\u2067Admins', /^name: must not contain bidi overrides.*U\+2067/],
    ['hidden tag characters', `Team\u{E0068}\u{E0069}`, /^name: must not contain tag characters.*U\+E0068/],
    ['zero-width only', '\u200b\u200d', /^name: must not be empty or only invisible characters/],
    ['Hangul filler only', '\u3164', /^name: must not be empty or only invisible characters/],
    ['braille blank only', '\u2800\u2800\u2800', /^name: must not be empty or only invisible characters/],
    ['variation selectors only', '\ufe0f', /^name: must not be empty or only invisible characters/],
    ['a lone surrogate', 'a\ud800', /^name: must be well-formed Unicode/],
    ['blank', ' \u3000 ', /^name: must not be empty/],
  ])('refuses %s', (_what, name, message) => {
    expect(validationError(() => parseInput(createConversationBody, group(name)))).toMatch(message);
  });
});
