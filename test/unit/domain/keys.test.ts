import { describe, expect, it } from 'vitest';
import { messageIdFor, seqOfMessageId } from '../../../shared/domain/ids.ts';
import { limits } from '../../../shared/domain/limits.ts';
import { id as idSchema } from '../../../shared/domain/schemas.ts';
import { keys, padSeq } from '../../../shared/store/keys.ts';
import { mulberry32 } from '../../support/random.ts';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@|-';
const random = mulberry32(0xc0ffee);
const randomId = () => {
  const length = 1 + Math.floor(random() ** 3 * 128);
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
};

/** Ids the schemas accept: edge cases of the alphabet and length, and generated ones. */
const acceptedIds = [
  'a',
  '-',
  '.',
  '..',
  ':',
  '|',
  '@',
  '_',
  'META',
  'PRESENCE',
  'DIRECT',
  'MEMBER',
  'MSG',
  'CONV',
  'USER:alice',
  'a|b',
  'x'.repeat(128),
  ...Array.from({ length: 400 }, randomId),
];

/** Ids that look like key material or escape attempts; the schemas refuse every one of them. */
const forgedIds = [
  'CONV#x',
  'a#b',
  'MEMBER#alice',
  '#',
  'x#',
  '#x',
  'MSG#000000000001',
  'USER#bob',
  '../',
  '..%2F',
  '%00',
  '\u0000',
  'a b',
  '',
  'x'.repeat(129),
  'a\nb',
  'ａ', // fullwidth
  'a\u200bb',
];

describe('keys built from ids the schemas accept', () => {
  it('accepts every id used below (the fixtures are really valid)', () => {
    for (const id of acceptedIds) expect(idSchema.safeParse(id).success, id).toBe(true);
  });

  it('refuses every id that contains a separator or anything outside the id alphabet', () => {
    for (const id of forgedIds) expect(idSchema.safeParse(id).success, JSON.stringify(id)).toBe(false);
    expect(limits.idPattern.test('a#b')).toBe(false);
  });

  it('gives every key exactly its expected #-separated parts, with the id as one whole part', () => {
    for (const a of acceptedIds) {
      const b = acceptedIds[(acceptedIds.indexOf(a) * 7 + 3) % acceptedIds.length] as string;
      expect(keys.conversation(a)).toEqual({ pk: `CONV#${a}`, sk: 'META' });
      expect(keys.conversation(a).pk.split('#')).toEqual(['CONV', a]);
      expect(keys.member(a, b).pk.split('#')).toEqual(['CONV', a]);
      expect(keys.member(a, b).sk.split('#')).toEqual(['MEMBER', b]);
      expect(keys.message(a, 42).sk.split('#')).toEqual(['MSG', '000000000042']);
      expect(keys.messageIdempotency(a, b, a).sk.split('#')).toEqual(['CMID', b, a]);
      expect(keys.typing(a, b).sk.split('#')).toEqual(['TYPING', b]);
      expect(keys.presence(a).pk.split('#')).toEqual(['USER', a]);
      expect(keys.departure(a, b).sk.split('#')).toEqual(['LEFT', b]);
      expect(keys.block(a, b)).toEqual({ pk: `USER#${a}`, sk: `BLOCK#${b}` });
      expect(keys.blockedBy(b, a).sk.split('#')).toEqual(['BLOCKED-BY', a]);
      for (const relation of [keys.block(a, b).sk, keys.blockedBy(a, b).sk]) {
        expect(relation.startsWith(keys.blockRelationPrefix)).toBe(true);
      }
      expect(keys.blockedBy(a, b).sk.startsWith(keys.blockPrefix)).toBe(false);
      expect(keys.rateLimit(a, 'send', 60).sk.split('#')).toEqual(['RATE', 'send', '60']);
      expect(keys.inboxPartition(a).split('#')).toEqual(['USER', a]);
      expect(keys.inbox(a, '2026-01-01T00:00:00.000Z', b).gsi1sk.split('#')).toEqual([
        '2026-01-01T00:00:00.000Z',
        b,
      ]);
      const pair = keys.directPair(a, b);
      expect(pair.pk.split('#')).toEqual(['DIRECT', ...[a, b].sort()]);
    }
  });

  it('never lets two different item types or two different ids share a key', () => {
    const seen = new Map<string, string>();
    const record = (what: string, key: { pk: string; sk: string }) => {
      const slot = `${key.pk}\u0001${key.sk}`;
      const earlier = seen.get(slot);
      if (earlier !== undefined && earlier !== what) throw new Error(`${what} collides with ${earlier}`);
      seen.set(slot, what);
    };
    const ids = acceptedIds.slice(0, 120);
    for (const a of ids) {
      record(`conversation ${a}`, keys.conversation(a));
      record(`presence ${a}`, keys.presence(a));
      record(`block count ${a}`, keys.blockCount(a));
      record(`message ${a} 1`, keys.message(a, 1));
      for (const b of ids.slice(0, 20)) {
        record(`member ${a} ${b}`, keys.member(a, b));
        record(`typing ${a} ${b}`, keys.typing(a, b));
        record(`cmid ${a} ${b} ${a}`, keys.messageIdempotency(a, b, a));
        record(`pair ${[a, b].sort().join(' ')}`, keys.directPair(a, b));
        record(`departure ${a} ${b}`, keys.departure(a, b));
        record(`block ${a} ${b}`, keys.block(a, b));
        record(`blocked-by ${a} ${b}`, keys.blockedBy(a, b));
      }
    }
    expect(seen.size).toBeGreaterThan(5_000);
  });

  it('addresses a direct pair the same way whichever user asks', () => {
    for (const a of acceptedIds.slice(0, 50)) {
      const b = randomId();
      expect(keys.directPair(a, b)).toEqual(keys.directPair(b, a));
    }
  });

  it('pads seq to a fixed width so message keys sort by seq', () => {
    expect(padSeq(1)).toBe('000000000001');
    const sks = [1, 2, 9, 10, 99, 100, 123456, 999_999_999_999].map((seq) => keys.message('c', seq).sk);
    expect([...sks].sort()).toEqual(sks);
  });
});

describe('seqOfMessageId', () => {
  it('reads back the seq of every id messageIdFor makes', () => {
    for (const seq of [1, 2, 10, 4096, 999_999_999_999, 999_999_999_999_999]) {
      expect(seqOfMessageId(messageIdFor(seq, '01JABCDEFGHJKMNPQRSTVWXYZ0'))).toBe(seq);
    }
  });

  it.each([
    ['0-ABC', 'seq 0'],
    ['00-ABC', 'seq 0 with a leading zero'],
    ['-1-ABC', 'a negative seq'],
    ['1.5-ABC', 'a float seq'],
    ['1e3-ABC', 'an exponent'],
    ['0x10-ABC', 'hex'],
    ['1-', 'no unique part'],
    ['-ABC', 'no seq'],
    ['ABC', 'no dash'],
    ['1-A-B', 'a second dash'],
    ['1-A#B', 'a separator'],
    ['1-A B', 'a space'],
    [' 1-ABC', 'leading space'],
    ['1-ABC\n', 'a trailing newline'],
    ['1-ABC\u0000', 'a NUL'],
    ['1234567890123456-ABC', 'more than 15 digits'],
    ['', 'nothing'],
  ])('answers undefined for %j (%s)', (messageId) => {
    expect(seqOfMessageId(messageId)).toBeUndefined();
  });

  it('accepts a leading zero but the caller still compares the whole id (01-X is not 1-X)', () => {
    // The use case loads the message at this seq and compares messageId, so 01-X cannot alias 1-X.
    expect(seqOfMessageId('01-X')).toBe(1);
  });

  it('keeps every seq it answers a positive safe integer', () => {
    const random15 = mulberry32(7);
    for (let i = 0; i < 500; i++) {
      const digits = 1 + Math.floor(random15() * 15);
      const text = Array.from({ length: digits }, () => Math.floor(random15() * 10)).join('');
      const seq = seqOfMessageId(`${text}-Z`);
      if (seq !== undefined) {
        expect(Number.isSafeInteger(seq)).toBe(true);
        expect(seq).toBeGreaterThanOrEqual(1);
      } else {
        expect(Number(text)).toBe(0);
      }
    }
  });
});
