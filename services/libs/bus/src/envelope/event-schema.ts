import { z } from 'zod';

import { DATA_CONTENT_TYPE } from './cloud-event.js';

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** CloudEvents attribute names: lower-case ASCII letters and digits (spec §3.1.1). */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;

/** Versioned, dotted event types such as `nes.client.created.v1`. */
const EVENT_TYPE = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;

/**
 * The envelope attributes NES requires, with bounds on every string so that a
 * hostile or broken producer cannot make consumers hold arbitrary amounts of
 * memory per attribute. Unknown attributes are allowed (extensions) but must
 * be correctly named scalars.
 */
export const cloudEventSchema = z
  .looseObject({
    specversion: z.literal('1.0'),
    id: z.uuid(),
    source: z.string().min(1).max(256),
    type: z.string().max(128).regex(EVENT_TYPE, 'must be a dotted lower-case type name'),
    subject: z.string().min(1).max(512).optional(),
    time: z.iso.datetime({ offset: true }),
    datacontenttype: z.literal(DATA_CONTENT_TYPE),
    traceparent: z.string().regex(TRACEPARENT, 'must be a W3C traceparent').optional(),
    tracestate: z.string().max(512).optional(),
    partitionkey: z.string().min(1).max(256),
    dlqreason: z.string().max(2048).optional(),
    dlqattempts: z.number().int().nonnegative().optional(),
    dlqgroup: z.string().max(256).optional(),
    dlqtopic: z.string().max(256).optional(),
    data: z.unknown(),
  })
  .superRefine((event, ctx) => {
    if (event.data === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required' });
    }
    for (const [name, value] of Object.entries(event)) {
      if (name === 'data') continue;
      if (!ATTRIBUTE_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid attribute name' });
      } else if (!isExtensionValue(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be a string, integer or boolean',
        });
      }
    }
  });

const UUID = z.regexes.uuid();
const DATETIME = z.regexes.datetime({ offset: true });

const text = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;

/**
 * Each attribute of {@link cloudEventSchema}, as a plain predicate (zod's own
 * regexes). A Map: names such as "__proto__" or "constructor" must find nothing.
 */
const ATTRIBUTES: ReadonlyMap<string, (value: unknown) => boolean> = new Map(
  Object.entries({
    specversion: (v) => v === '1.0',
    id: (v) => typeof v === 'string' && UUID.test(v),
    source: (v) => text(v, 1, 256),
    type: (v) => text(v, 0, 128) && EVENT_TYPE.test(v),
    subject: (v) => text(v, 1, 512),
    time: (v) => typeof v === 'string' && DATETIME.test(v),
    datacontenttype: (v) => v === DATA_CONTENT_TYPE,
    traceparent: (v) => typeof v === 'string' && TRACEPARENT.test(v),
    tracestate: (v) => text(v, 0, 512),
    partitionkey: (v) => text(v, 1, 256),
    dlqreason: (v) => text(v, 0, 2048),
    dlqattempts: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
    dlqgroup: (v) => text(v, 0, 256),
    dlqtopic: (v) => text(v, 0, 256),
  }),
);
const REQUIRED = ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'partitionkey'];

/**
 * True when {@link cloudEventSchema} accepts `value` — checked without zod, at
 * a fraction of its cost (every envelope is checked on enqueue and on
 * receipt). It accepts nothing the schema refuses; on false, run the schema
 * for its verdict and its words (a unit test compares the two on valid and
 * broken envelopes of every attribute).
 */
export function isValidEvent(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const event = value as Readonly<Record<string, unknown>>;
  if (event.data === undefined) return false;
  for (const name of REQUIRED) if (!(name in event)) return false;
  for (const name of Object.keys(event)) {
    if (name === 'data') continue;
    const check = ATTRIBUTES.get(name);
    const attribute = event[name];
    if (check === undefined) {
      if (!ATTRIBUTE_NAME.test(name) || !isExtensionValue(attribute)) return false;
    } else if (!check(attribute)) return false;
  }
  return true;
}

function isExtensionValue(value: unknown): boolean {
  if (typeof value === 'string') return value.length <= 2048;
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'boolean';
}

/** Renders zod issues as one short line (attribute paths and messages, never values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
