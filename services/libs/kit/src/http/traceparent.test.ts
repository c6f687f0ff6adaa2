import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.js';
import { childTraceparent, formatTraceparent, parseTraceparent } from './traceparent.js';

const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent', () => {
  it('parses a version-00 header', () => {
    expect(parseTraceparent(valid)).toEqual({
      version: '00',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '01',
      sampled: true,
    });
    expect(parseTraceparent(valid.replace(/01$/, '00'))?.sampled).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['upper-case hex', valid.toUpperCase()],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', valid.replace(/^00/, 'ff')],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['extra field on version 00', `${valid}-extra`],
    ['non-hex', '00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01'],
    ['repeated header', [valid, valid]],
  ])('ignores a %s header', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts future versions and ignores their extra fields', () => {
    expect(parseTraceparent(`01${valid.slice(2)}-future`)?.traceId).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('round-trips through formatTraceparent and keeps the trace in a child', () => {
    const parsed = parseTraceparent(valid);
    expect(parsed && formatTraceparent(parsed)).toBe(valid);
    const child = childTraceparent(parsed);
    expect(child.traceId).toBe(parsed?.traceId);
    expect(child.parentId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.parentId).not.toBe(parsed?.parentId);
    expect(parseTraceparent(formatTraceparent(childTraceparent(undefined)))).toBeDefined();
  });
});

describe('requestIdFrom', () => {
  it('keeps a sane incoming id and replaces anything else', () => {
    expect(requestIdFrom('abc-123_X.y:z')).toBe('abc-123_X.y:z');
    for (const bad of ['', 'a b', 'x\ny', 'é', 'a'.repeat(129), undefined, ['a', 'b']]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
