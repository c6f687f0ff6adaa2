import { describe, expect, it } from 'vitest';
import { authorizationHeaders, readBearer } from './bearer.js';

describe('readBearer', () => {
  it('reads one Bearer token, scheme in any case', () => {
    expect(readBearer(['Bearer abc.def-ghi_~+/='])).toEqual({
      kind: 'token',
      token: 'abc.def-ghi_~+/=',
    });
    expect(readBearer(['bearer abc'])).toEqual({ kind: 'token', token: 'abc' });
    expect(readBearer(['BEARER   abc  '])).toEqual({ kind: 'token', token: 'abc' });
  });

  it('treats no header or another scheme as missing bearer credentials', () => {
    expect(readBearer([])).toEqual({ kind: 'missing' });
    expect(readBearer(['Basic YTpi'])).toEqual({ kind: 'missing' });
    expect(readBearer(['Bearerabc'])).toEqual({ kind: 'missing' });
  });

  it('calls malformed what cannot be a token', () => {
    for (const header of [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer "x"',
      'Bearer é',
      `Bearer ${'a'.repeat(5000)}`,
    ]) {
      expect(readBearer([header]).kind, header.slice(0, 20)).toBe('malformed');
    }
    expect(readBearer(['Bearer a', 'Bearer a'])).toEqual({
      kind: 'malformed',
      reason: 'repeated Authorization header',
    });
  });

  it('collects every Authorization header from raw headers', () => {
    expect(authorizationHeaders(['Host', 'x', 'authorization', 'a', 'AUTHORIZATION', 'b'])).toEqual(
      ['a', 'b'],
    );
  });
});
