import { z } from 'zod';

/**
 * Leaf schemas for environment variables. Every env value is a string, so
 * each helper takes a string and coerces it, and states in its error message
 * what it expected ("expected integer 1–65535"); `parseConfig` appends what it
 * got, unless the field is secret. A missing variable reports "required";
 * chain `.default(value)` or `.optional()` to make it optional.
 */

const required = { error: 'required' } as const;

/** The set of schemas marked secret; walking code unwraps wrappers to find them. */
const secretSchemas = new WeakSet<z.ZodType>();

/**
 * Marks a field secret: `parseConfig` never echoes its value in an error and
 * `redactConfig` prints it as "[REDACTED]". Apply it to the leaf, before
 * `.optional()`/`.default()`.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  secretSchemas.add(schema);
  return schema;
}

/** Whether `schema` itself was passed to {@link secret}. */
export function isMarkedSecret(schema: z.ZodType): boolean {
  return secretSchemas.has(schema);
}

/** A trimmed, non-empty string of at most `max` characters (default 4096). */
export function envString(options: { max?: number } = {}) {
  const max = options.max ?? 4096;
  return z
    .string(required)
    .trim()
    .min(1, 'required')
    .max(max, `expected at most ${max} characters`);
}

/** An integer in [min, max], written in decimal. */
export function envInt(options: { min: number; max: number }) {
  const { min, max } = options;
  const message = `expected integer ${min}–${max}`;
  return z.string(required).transform((raw, ctx) => {
    const text = raw.trim();
    const value = /^[+-]?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return value;
  });
}

/** A TCP port, 1–65535 (0 is refused: a service must listen where it was told). */
export function envPort() {
  return envInt({ min: 1, max: 65535 });
}

const truthy = new Set(['true', '1', 'yes', 'on']);
const falsy = new Set(['false', '0', 'no', 'off']);

/** A boolean: true/false, 1/0, yes/no, on/off (any case). */
export function envBool() {
  return z.string(required).transform((raw, ctx) => {
    const text = raw.trim().toLowerCase();
    if (truthy.has(text)) return true;
    if (falsy.has(text)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true or false' });
    return z.NEVER;
  });
}

/** One of a fixed list of values (compared case-sensitively, after trimming). */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const allowed = new Set<string>(values);
  const message = `expected one of ${values.join(', ')}`;
  return z.string(required).transform((raw, ctx): T[number] => {
    const text = raw.trim();
    if (allowed.has(text)) return text;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}

/** An absolute URL whose scheme is one of `protocols` (e.g. `['postgres', 'postgresql']`). */
export function envUrl(options: { protocols: readonly string[] }) {
  const schemes = options.protocols.map((p) => `${p}:`);
  const message = `expected a ${options.protocols.join(' or ')} URL`;
  return z.string(required).transform((raw, ctx) => {
    const text = raw.trim();
    if (!URL.canParse(text) || !schemes.includes(new URL(text).protocol)) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return text;
  });
}

/**
 * A comma-separated list of non-empty items, each checked by `item` when given
 * (its message names the offending item's position).
 */
export function envList(options: { item?: RegExp; itemDescription?: string; max?: number } = {}) {
  const max = options.max ?? 64;
  return z.string(required).transform((raw, ctx) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length === 0 || items.length > max) {
      ctx.addIssue({ code: 'custom', message: `expected 1–${max} comma-separated items` });
      return z.NEVER;
    }
    const badIndex = options.item ? items.findIndex((s) => !options.item?.test(s)) : -1;
    if (badIndex >= 0) {
      const what = options.itemDescription ?? 'a valid item';
      ctx.addIssue({ code: 'custom', message: `item ${badIndex + 1}: expected ${what}` });
      return z.NEVER;
    }
    return items;
  });
}

/** A `host:port` pair, as Kafka brokers are written. */
export const hostPortPattern = /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/;
