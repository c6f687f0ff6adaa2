import { describe, expect, it } from 'vitest';

import { encodeEvent, type CloudEvent } from './cloud-event.js';
import { assertValidEvent, InvalidEventError, parseEvent } from './parse-event.js';

const valid: CloudEvent = {
  specversion: '1.0',
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  source: 'nes/registration',
  type: 'nes.client.created.v1',
  subject: 'client/42',
  time: '2026-11-28T10:00:00.000Z',
  datacontenttype: 'application/json',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  partitionkey: 'client-42',
  data: { clientId: 'client-42' },
};

const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('parseEvent', () => {
  it('accepts a complete structured envelope', () => {
    const result = parseEvent(encodeEvent(valid));
    expect(result).toEqual({ ok: true, event: valid });
  });

  it('accepts extension attributes with valid names and scalar values', () => {
    const result = parseEvent(bytes({ ...valid, dlqreason: 'x', dlqattempts: 3, sampled: true }));
    expect(result.ok).toBe(true);
  });

  it('rejects empty values, non-JSON and oversized input with a reason', () => {
    expect(parseEvent(null)).toEqual({ ok: false, reason: 'invalid-envelope: empty' });
    expect(parseEvent(Buffer.from('{nope'))).toEqual({
      ok: false,
      reason: 'invalid-envelope: not JSON',
    });
    const big = bytes({ ...valid, data: { blob: 'x'.repeat(2000) } });
    const result = parseEvent(big, 1024);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/exceeds 1024/);
  });

  it.each([
    ['specversion', { specversion: '0.3' }],
    ['id', { id: 'not-a-uuid' }],
    ['source', { source: '' }],
    ['type', { type: 'Client Created' }],
    ['time', { time: 'yesterday' }],
    ['datacontenttype', { datacontenttype: 'text/plain' }],
    ['traceparent', { traceparent: '00-zz-00f067aa0ba902b7-01' }],
    ['partitionkey', { partitionkey: '' }],
  ])('names the bad attribute %s', (attribute, patch) => {
    const result = parseEvent(bytes({ ...valid, ...patch }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(`${attribute}:`);
  });

  it('requires data and the partition key', () => {
    const { data: _data, ...withoutData } = valid;
    const { partitionkey: _key, ...withoutKey } = valid;
    const reasons = [parseEvent(bytes(withoutData)), parseEvent(bytes(withoutKey))].map((r) =>
      r.ok ? 'accepted' : r.reason,
    );
    expect(reasons[0]).toContain('data:');
    expect(reasons[1]).toContain('partitionkey:');
  });

  it('rejects badly named or structured extensions', () => {
    expect(parseEvent(bytes({ ...valid, 'Bad-Name': 'x' })).ok).toBe(false);
    expect(parseEvent(bytes({ ...valid, nested: { a: 1 } })).ok).toBe(false);
    expect(parseEvent(bytes({ ...valid, ratio: 0.5 })).ok).toBe(false);
  });

  it('rejects JSON that is not an object', () => {
    expect(parseEvent(Buffer.from('[1,2]')).ok).toBe(false);
    expect(parseEvent(Buffer.from('"event"')).ok).toBe(false);
  });

  it('never echoes attribute values in the reason', () => {
    const result = parseEvent(bytes({ ...valid, type: 'SECRET Value' }));
    expect(!result.ok && result.reason).not.toContain('SECRET');
  });
});

describe('assertValidEvent', () => {
  it('returns the encoded bytes of a valid event', () => {
    expect(JSON.parse(assertValidEvent(valid).toString('utf8'))).toEqual(valid);
  });

  it('throws InvalidEventError naming the event and the problem', () => {
    const bad = { ...valid, time: 'soon' };
    expect(() => assertValidEvent(bad)).toThrow(InvalidEventError);
    expect(() => assertValidEvent(bad)).toThrow(/01890a5d.*time:/);
  });

  it('enforces the size bound', () => {
    const big = { ...valid, data: { blob: 'x'.repeat(5000) } };
    expect(() => assertValidEvent(big, 4096)).toThrow(/more than 4096/);
  });
});
