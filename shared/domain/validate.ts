import type { z } from 'zod';
import { payloadTooLarge, validationFailed } from '../errors.ts';
import { limits } from './limits.ts';

/** Parses input with a schema; the first problem becomes a validation_failed error that names the field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
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
export const hasLoneSurrogate = (text: string) => /\p{Cs}/u.test(text);

const invisibleCharacters = /[\u200B-\u200D\u2060\uFEFF]/g;

/** A message body as stored: trimmed, not empty, well-formed Unicode, at most `maxMessageBodyBytes` of UTF-8. */
export function messageBody(raw: string): string {
  const trimmed = raw.trim();
  // `trim` keeps zero-width characters; a body of nothing else would look empty to every reader.
  if (trimmed.replace(invisibleCharacters, '') === '') throw validationFailed('body', 'must not be empty');
  if (hasLoneSurrogate(trimmed)) throw validationFailed('body', 'must be well-formed Unicode');
  if (Buffer.byteLength(trimmed, 'utf8') > limits.maxMessageBodyBytes) {
    throw payloadTooLarge('body', limits.maxMessageBodyBytes);
  }
  return trimmed;
}
