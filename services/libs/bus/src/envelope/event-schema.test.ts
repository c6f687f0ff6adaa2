import { describe, expect, it } from 'vitest';
import { cloudEventSchema, isValidEvent } from './event-schema.js';

const valid = {
  specversion: '1.0',
  id: '0195f0c2-4b2a-7000-8000-000000000000',
  source: 'nes/telemetry',
  type: 'nes.audit.telemetry.v1',
  subject: 'android-1',
  time: '2026-11-29T04:00:00.123Z',
  datacontenttype: 'application/json',
  partitionkey: 'android-1',
  traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
  data: { eventType: 'TapAuthentication' },
};

/** Values to put in every attribute: right, wrong, borderline. */
const probes: readonly unknown[] = [
  undefined,
  null,
  '',
  'x',
  '1.0',
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(256),
  'x'.repeat(257),
  'x'.repeat(512),
  'x'.repeat(513),
  'x'.repeat(2048),
  'x'.repeat(2049),
  'nes.a-b.v1',
  'Nes.Upper',
  'nes..double',
  'application/json',
  'text/plain',
  '0195f0c2-4b2a-7000-8000-000000000000',
  '0195F0C2-4B2A-7000-8000-000000000000',
  '00000000-0000-0000-0000-000000000000',
  '0195f0c2-4b2a-0000-8000-000000000000',
  '0195f0c2-4b2a-7000-c000-000000000000',
  '2026-11-29T04:00:00Z',
  '2026-11-29T04:00:00.123456+01:00',
  '2026-11-29T24:00:00Z',
  '2026-02-30T04:00:00Z',
  '2026-11-29 04:00:00Z',
  '2026-11-29T04:00:00',
  '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
  '00-0123456789ABCDEF0123456789abcdef-0123456789abcdef-01',
  0,
  1,
  -1,
  1.5,
  2 ** 53,
  true,
  false,
  [],
  {},
  ['a'],
];

const attributes = [...Object.keys(valid), 'tracestate', 'dlqreason', 'dlqattempts', 'dlqgroup'];
const extensions = ['dlqtopic', 'siteid', 'Bad_Name', 'toolongattributename12', '__proto__'];

describe('isValidEvent', () => {
  it('accepts what NES produces', () => {
    expect(isValidEvent(valid)).toBe(true);
    expect(cloudEventSchema.safeParse(valid).success).toBe(true);
  });

  it('agrees with the schema for every probe in every attribute, and never accepts more', () => {
    const disagreements: string[] = [];
    for (const name of [...attributes, ...extensions]) {
      for (const value of probes) {
        const event: Record<string, unknown> = { ...valid };
        if (name === '__proto__') Object.defineProperty(event, name, { value, enumerable: true });
        else event[name] = value;
        const schema = cloudEventSchema.safeParse(event).success;
        const fast = isValidEvent(event);
        // The fast check may only say yes where the schema does.
        if (fast) expect([name, value, schema]).toEqual([name, value, true]);
        if (fast !== schema) disagreements.push(name);
      }
    }
    // The one difference: an own "__proto__" key, which zod's copy of the
    // object loses (so the schema accepts) and the fast check refuses —
    // leaving the verdict to the schema.
    expect(new Set(disagreements)).toEqual(new Set(['__proto__']));
  });

  it('refuses what is not an object, or lacks a required attribute or data', () => {
    for (const value of [null, 'x', 1, [], [valid]]) expect(isValidEvent(value)).toBe(false);
    for (const name of [
      'specversion',
      'id',
      'source',
      'type',
      'time',
      'datacontenttype',
      'partitionkey',
      'data',
    ]) {
      const { [name as keyof typeof valid]: _removed, ...rest } = valid;
      expect(isValidEvent(rest)).toBe(false);
      expect(cloudEventSchema.safeParse(rest).success).toBe(false);
    }
  });
});
