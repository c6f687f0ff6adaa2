import { z } from 'zod';
import { isMarkedSecret } from './env-fields.js';

/**
 * Helpers that look through zod wrappers (optional, default, pipe/transform,
 * …) so that config code can see the object shape and the `secret()` marks a
 * service's schema was built from.
 */

/** Returns the schema a wrapper wraps, or undefined when `schema` is not a wrapper. */
function innerOf(schema: z.ZodType): z.ZodType | undefined {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch ||
    schema instanceof z.ZodNonOptional
  ) {
    return schema.def.innerType as z.ZodType;
  }
  if (schema instanceof z.ZodPipe) {
    // A section with cross-field rules and a reshaping transform is a pipe
    // whose input side is the object the environment is read into.
    return schema.def.in as z.ZodType;
  }
  return undefined;
}

/** The object schema under any wrappers, or undefined for a leaf. */
export function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (current instanceof z.ZodObject) return current;
    current = innerOf(current);
  }
  return undefined;
}

/** Whether `schema` or anything it wraps was marked with `secret()`. */
export function isSecret(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (isMarkedSecret(current)) return true;
    current = innerOf(current);
  }
  return false;
}

/** Whether the outermost wrappers let the value be absent (optional, not defaulted). */
export function isOptional(schema: z.ZodType): boolean {
  return schema instanceof z.ZodOptional;
}

/** `poolSize` → `POOL_SIZE`; `tls` → `TLS`. */
export function toEnvSegment(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The env variable name for a path in the schema: `NES_REG_` + `DATABASE_POOL_SIZE`. */
export function envNameFor(prefix: string, path: readonly PropertyKey[]): string {
  return prefix + path.map((p) => toEnvSegment(String(p))).join('_');
}

/** Looks up the leaf or section schema at `path`, or undefined if the path leaves the shape. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const key of path) {
    const shape = current ? objectOf(current)?.shape : undefined;
    if (!shape || typeof key !== 'string' || !Object.hasOwn(shape, key)) return undefined;
    current = shape[key] as z.ZodType;
  }
  return current;
}
