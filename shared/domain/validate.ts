import type * as z from 'zod/mini';
import { payloadTooLarge, validationFailed } from '../errors.ts';
import { limits } from './limits.ts';

/** Parses input with a schema; the first problem becomes a validation_failed error that names the field. */
export function parseInput<Schema extends z.ZodMiniType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'input';
  throw validationFailed(field, issue?.message ?? 'is invalid');
}

/**
 * A lone UTF-16 surrogate (only possible through a JSON `\u` escape) is not text: it cannot be encoded as
 * UTF-8, and echoed to other members it breaks strict JSON decoders of their clients.
 */
const hasLoneSurrogate = (text: string) => /\p{Cs}/u.test(text);

/** C0 and C1 controls and DEL, except newline and tab. */
const controlCharacter = /(?![\n\t])\p{Cc}/u;
/** Any control character, newline and tab included (for one-line text such as a group name). */
const anyControlCharacter = /\p{Cc}/u;
/** Line and paragraph separators: line breaks that are not control characters. */
const lineSeparator = /[\u2028\u2029]/u;
/**
 * Characters that make text read differently from what it is: bidi embeddings, overrides and isolates
 * ("Trojan Source", `\u202eexe.txt`), the deprecated shaping and digit controls, interlinear annotation
 * (hides its text) and the deprecated language tag.
 */
const deceptiveFormat = /[\u202A-\u202E\u2066-\u2069\u206A-\u206F\uFFF9-\uFFFB\u{E0001}]/u;
/**
 * Tag characters spell hidden ASCII ("ASCII smuggling"); their only use in text is an emoji tag sequence (a
 * subdivision flag: U+1F3F4, tags, then the cancel tag U+E007F), which is removed before looking for stray tags.
 */
const emojiTagSequence = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
const tagCharacter = /[\u{E0020}-\u{E007F}]/u;
/**
 * What draws nothing by itself: white space, format characters (zero-width space and joiners, direction
 * marks, soft hyphen…), variation selectors, the combining grapheme joiner, Khmer inherent vowels and
 * blank-looking letters (Hangul fillers, the braille blank). Text of nothing else looks empty.
 */
const invisibleCharacters =
  /\s|\p{Cf}|[\u115F\u1160\u2800\u3164\uFFA0]|\u034F|\u17B4|\u17B5|[\u180B-\u180F]|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu;

const codePoint = (character: string) =>
  `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with a trimmed, non-empty text, or undefined when it is fine. A body may hold newlines and
 * tabs; a one-line text (a group name) may not, nor any other line break.
 */
export function textProblem(text: string, { multiline }: { multiline: boolean }): string | undefined {
  if (text.replace(invisibleCharacters, '') === '') return 'must not be empty or only invisible characters';
  if (hasLoneSurrogate(text)) return 'must be well-formed Unicode';
  const control = (multiline ? controlCharacter : anyControlCharacter).exec(text)?.[0];
  if (control !== undefined) {
    const allowed = multiline ? ' (only newline and tab are allowed)' : '';
    return `must not contain control characters${allowed}: ${codePoint(control)}`;
  }
  const separator = multiline ? undefined : lineSeparator.exec(text)?.[0];
  if (separator !== undefined) return `must not contain line breaks: ${codePoint(separator)}`;
  const deceptive = deceptiveFormat.exec(text)?.[0];
  if (deceptive !== undefined) {
    return `must not contain bidi overrides, isolates or hidden formatting: ${codePoint(deceptive)}`;
  }
  const tag = tagCharacter.exec(text.replace(emojiTagSequence, ''))?.[0];
  if (tag !== undefined) return `must not contain tag characters outside an emoji flag: ${codePoint(tag)}`;
  return undefined;
}

/**
 * A message body as stored: line endings made `\n`, trimmed, not empty or invisible, well-formed Unicode, free
 * of control characters other than newline and tab and of deceptive formatting, at most `maxMessageBodyBytes`
 * of UTF-8. `mayBeEmpty` (a message with attachments): empty is "".
 */
export function messageBody(raw: string, { mayBeEmpty = false } = {}): string {
  // A Windows client sends CRLF; a lone CR is a line break too (and would let text overwrite itself).
  const trimmed = raw.replace(/\r\n?/g, '\n').trim();
  if (trimmed === '' && mayBeEmpty) return '';
  if (trimmed === '') throw validationFailed('body', 'must not be empty');
  const problem = textProblem(trimmed, { multiline: true });
  if (problem) throw validationFailed('body', problem);
  if (Buffer.byteLength(trimmed, 'utf8') > limits.maxMessageBodyBytes) {
    throw payloadTooLarge('body', limits.maxMessageBodyBytes);
  }
  return trimmed;
}
