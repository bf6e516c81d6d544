/** zod → JSON Schema for the API descriptions, and the key order that makes their files diff cleanly. */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;
/** Any zod schema: the inputs are `zod/mini` (shared/domain/schemas.ts), the wire shapes `zod` (wire.ts). */
export type Schema = z.core.$ZodType;
type Target = 'draft-2020-12' | 'draft-7';

/** What a client sends: defaults are optional, coercions show their input (query strings as their numbers). */
const options = (target: Target) => ({ io: 'input', target, unrepresentable: 'throw' }) as const;

function strip({ $schema: _schema, $id: _id, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

/** One schema, inline (request bodies, parameters, frames). */
export function toSchema(schema: Schema, target: Target = 'draft-2020-12'): JsonSchema {
  return strip(z.toJSONSchema(schema, options(target)) as JsonSchema);
}

/** The id a schema was given with `.meta({ id })`: it is then a component, referred to by `$ref`. */
function idOf(schema: Schema): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id !== 'string') throw new Error('This schema has no id: give it .meta({ id })');
  return id;
}

export const refTo = (schema: Schema) => ({ $ref: `#/components/schemas/${idOf(schema)}` });

/** The components the given schemas need: they and every schema with an id they refer to, by id. */
export function componentsFor(roots: Schema[], target: Target = 'draft-2020-12'): Record<string, JsonSchema> {
  const all = z.toJSONSchema(z.globalRegistry, {
    ...options(target),
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, JsonSchema>;
  const wanted = new Set<string>();
  const visit = (id: string) => {
    if (wanted.has(id)) return;
    const schema = all[id];
    if (!schema) throw new Error(`No component ${id}`);
    wanted.add(id);
    for (const match of JSON.stringify(schema).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      visit(match[1] as string);
    }
  };
  for (const root of roots) visit(idOf(root));
  return Object.fromEntries([...wanted].map((id) => [id, strip(all[id] as JsonSchema)]));
}

/** Objects' keys sorted at every depth (arrays keep their order), so equal documents are equal text. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
