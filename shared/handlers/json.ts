/** The one JSON decoder of the adapters: request bodies (HTTP) and frames (WebSocket), with the same limits. */
import { limits } from '../domain/limits.ts';
import { payloadTooLarge, validationFailed } from '../errors.ts';

/** What is decoded: the name its size error uses, the field its validation errors name, and its shape. */
const sources = {
  frame: { field: 'frame', objectOnly: true },
  'request body': { field: 'body', objectOnly: false },
} as const;

export type JsonSource = keyof typeof sources;

/**
 * Parses `text` after checking its size (`payload_too_large` past `limits.maxPayloadBytes`, before parsing);
 * text that is not JSON is `validation_failed`, as is a frame that is not a JSON object.
 */
export function decodeJson(text: string, options: { what: 'frame' }): Record<string, unknown>;
export function decodeJson(text: string, options: { what: JsonSource }): unknown;
export function decodeJson(text: string, { what }: { what: JsonSource }): unknown {
  const { field, objectOnly } = sources[what];
  if (Buffer.byteLength(text, 'utf8') > limits.maxPayloadBytes)
    throw payloadTooLarge(what, limits.maxPayloadBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationFailed(field, 'is not valid JSON');
  }
  if (objectOnly && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw validationFailed(field, 'must be a JSON object');
  }
  return value;
}
