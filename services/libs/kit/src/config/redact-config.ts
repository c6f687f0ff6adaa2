import type { z } from 'zod';
import { isSecret, objectOf } from './schema-walk.js';

/** What a secret field prints as. */
export const REDACTED = '[REDACTED]';

/**
 * A copy of a parsed config that is safe to print or log: every field whose
 * schema was marked with `secret()` is replaced by "[REDACTED]". Fields the
 * schema does not describe (added by a section's transform) are kept.
 */
export function redactConfig<S extends z.ZodObject>(schema: S, config: z.output<S>): unknown {
  return redactValue(schema, config);
}

function redactValue(schema: z.ZodType | undefined, value: unknown): unknown {
  if (schema && isSecret(schema)) return value === undefined ? undefined : REDACTED;
  const object = schema ? objectOf(schema) : undefined;
  if (!object || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const shape = object.shape as Record<string, z.ZodType>;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    copy[key] = redactValue(Object.hasOwn(shape, key) ? shape[key] : undefined, child);
  }
  return copy;
}
