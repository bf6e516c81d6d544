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

  it('keeps unicode edge cases that are text: RTL, zero-width, combining, emoji, NUL', () => {
    for (const body of ['שלום \u202eabc', 'a\u200bb', 'e\u0301', '👩‍👩‍👧‍👦', 'a\u0000b']) {
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
