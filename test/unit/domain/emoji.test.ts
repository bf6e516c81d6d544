import { describe, expect, it } from 'vitest';
import { emojiKey, reactionEmoji } from '../../../shared/domain/emoji.ts';

describe('a reaction emoji', () => {
  it.each([
    ['a plain emoji', '👍'],
    ['a skin tone', '👍🏽'],
    ['a ZWJ family', '👨‍👩‍👧‍👦'],
    ['a ZWJ profession with a skin tone', '👩🏾‍🚀'],
    ['a flag', '🇫🇷'],
    ['a subdivision flag', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['a keycap', '#️⃣'],
    ['a symbol in its emoji form', '❤️'],
  ])('accepts %s', (_what, emoji) => {
    expect(reactionEmoji(emoji)).toBe(emoji);
  });

  it('takes a path segment a gateway left percent-encoded as its emoji', () => {
    expect(reactionEmoji(encodeURIComponent('👍🏽'))).toBe('👍🏽');
    expect(() => reactionEmoji('%F0%9F')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('stores a symbol typed without its emoji selector as the emoji, so both are one reaction', () => {
    expect(reactionEmoji('❤')).toBe('❤️');
  });

  it.each([
    ['text', 'ok'],
    ['a letter beside an emoji', 'a👍'],
    ['two emoji', '👍👍'],
    ['an empty string', ''],
    ['a lone skin tone modifier joined to text', 'x🏽'],
    ['a lone surrogate', '\ud83d'],
    ['a digit without its keycap', '1'],
    ['a tag smuggling text after a flag', '🇫🇷\u{E0041}'],
    ['something long', '👍'.repeat(40)],
  ])('refuses %s with validation_failed', (_what, raw) => {
    expect(() => reactionEmoji(raw)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('keys an emoji by its code points, never with a #', () => {
    expect(emojiKey('#️⃣')).toBe('23-fe0f-20e3');
    expect(emojiKey('👍🏽')).toBe('1f44d-1f3fd');
  });
});
