import { z } from 'zod';
import { parseApiKeyEntry, type ApiKeyEntry } from '../auth/api-keys.js';

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

/**
 * What an item parser returns: the parsed value, or why the item is wrong
 * (a message that must not echo a secret item).
 */
export type ItemParser<T> = (item: string) => T | string;

/** Parses every item, reporting each bad one as `item N: <why>`. */
function parseItems<T>(items: readonly string[], parse: ItemParser<T>, ctx: z.RefinementCtx): T[] {
  const values: T[] = [];
  items.forEach((item, index) => {
    const parsed = parse(item);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `item ${index + 1}: ${parsed}` });
    } else values.push(parsed);
  });
  return values;
}

/**
 * A comma-separated list of at most `max` items (default 64), each turned
 * into a value by `parse`; every bad item is reported, by position.
 */
export function envParsedList<T>(parse: ItemParser<T>, options: { max?: number } = {}) {
  return envList({ max: options.max ?? 64 }).transform((items, ctx) =>
    parseItems(items, parse, ctx),
  );
}

/**
 * A comma-separated list of `name:sha256hex` API-key entries
 * ({@link parseApiKeyEntry}), at most 64, each name once. Wrap it in
 * {@link secret} so that the hashes stay out of errors and printed config.
 */
export function envApiKeyList() {
  return envList({ max: 64 }).transform((items, ctx): ApiKeyEntry[] => {
    const entries = parseItems(items, parseApiKeyEntry, ctx);
    const names = entries.map((e) => e.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) {
      ctx.addIssue({ code: 'custom', message: `name '${duplicate}' appears twice` });
    }
    return entries;
  });
}

/**
 * fastify's `trustProxy`: `false`, `true` (trust every hop — only behind a
 * proxy that overwrites X-Forwarded-For), or a list of proxy addresses/CIDRs
 * whose X-Forwarded-For is believed. It decides which address per-IP limits
 * count.
 */
export function envTrustProxy() {
  const message = 'expected true, false or a list of IP addresses/CIDRs';
  return envString({ max: 2048 }).transform((text, ctx): boolean | string[] => {
    const lower = text.toLowerCase();
    if (lower === 'false') return false;
    if (lower === 'true') return true;
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length > 0 && items.every((s) => /^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(s))) {
      return items;
    }
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}

/**
 * A public base URL (https, or http for local use) without credentials,
 * query or fragment, returned without trailing slash so that paths can be
 * appended.
 */
export function envBaseUrl() {
  const message = 'expected a base URL without credentials, query or fragment';
  return envUrl({ protocols: ['https', 'http'] }).transform((text, ctx) => {
    const url = new URL(text);
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return url.toString().replace(/\/+$/, '');
  });
}

/** A `host:port` pair, as Kafka brokers are written. */
export const hostPortPattern = /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/;
