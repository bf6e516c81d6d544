/** What counts as one reaction emoji: exactly one Unicode RGI emoji (ZWJ sequences, skin tones, flags, keycaps). */
import { validationFailed } from '../errors.ts';

/**
 * `\p{RGI_Emoji}` is a property of strings, so it needs the `v` flag, which Node.js 20+ has; the flag is passed
 * as a value because the compile target (ES2022) predates it.
 */
const unicodeSets: string = 'v';
const oneRgiEmoji = new RegExp('^\\p{RGI_Emoji}$', unicodeSets);
/** The longest RGI emoji (a subdivision flag) is 14 UTF-16 units; anything longer is refused at once. */
const maxEmojiLength = 32;
const emojiPresentation = '\uFE0F';

/**
 * The reaction's emoji as stored, or `validation_failed`. A symbol typed without its emoji presentation
 * selector (`❤` for `❤️`) is the same reaction as the emoji, so it is stored in the fully qualified form.
 */
export function reactionEmoji(path: string): string {
  const raw = stillEncoded(path);
  if (raw.length <= maxEmojiLength) {
    if (oneRgiEmoji.test(raw)) return raw;
    if (oneRgiEmoji.test(raw + emojiPresentation)) return raw + emojiPresentation;
  }
  throw validationFailed('emoji', 'must be exactly one emoji');
}

/**
 * API Gateway's HTTP API (and the local gateway) decode path parameters; a gateway that passes a segment still
 * percent-encoded must not make a valid emoji invalid. No emoji holds a `%`, so decoding such a segment is safe.
 */
function stillEncoded(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** An emoji as a key part: its code points in hex (an emoji such as `#️⃣` holds a `#`, which keys must not). */
export const emojiKey = (emoji: string) =>
  [...emoji].map((character) => (character.codePointAt(0) ?? 0).toString(16)).join('-');
