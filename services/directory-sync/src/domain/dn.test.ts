import { describe, expect, it } from 'vitest';
import { DnSyntaxError, escapeDnValue, isValidDn, normalizeDn, parseDn } from './dn.js';

describe('distinguished names', () => {
  it('parses escapes, hex escapes and multi-valued RDNs', () => {
    expect(parseDn('CN=Smith\\, John+UID=js,OU=Staff,DC=nes,DC=test')).toEqual([
      [
        { type: 'CN', value: 'Smith, John' },
        { type: 'UID', value: 'js' },
      ],
      [{ type: 'OU', value: 'Staff' }],
      [{ type: 'DC', value: 'nes' }],
      [{ type: 'DC', value: 'test' }],
    ]);
    expect(parseDn('CN=J\\C3\\B6rg,DC=x')[0]?.[0]?.value).toBe('Jörg');
  });

  it.each([
    ['', /empty/],
    ['CN=a,', /expected attribute=value/],
    ['not a dn', /expected attribute=value/],
    ['CN=,DC=x', /empty value/],
    ['CN=a;DC=x', /unescaped ';'/],
    ['CN=a\\q,DC=x', /bad escape/],
    ['C N=a', /bad attribute type/],
    ['CN=a\u0000b', /control characters/],
    ['CN=#04024869', /hex-encoded/],
    [`CN=${'a'.repeat(3000)}`, /longer than/],
  ])('refuses %j', (dn, message) => {
    expect(() => parseDn(dn)).toThrow(DnSyntaxError);
    expect(() => parseDn(dn)).toThrow(message);
    expect(isValidDn(dn)).toBe(false);
  });

  it('escapes values so that they parse back unchanged', () => {
    for (const value of ['a,b', ' lead', 'trail ', '#hash', 'q"u<o>t;e+s=\\', 'nul\u0000']) {
      const dn = `CN=${escapeDnValue(value)},DC=x`;
      expect(parseDn(dn)[0]?.[0]?.value).toBe(value);
    }
  });

  it('normalises for comparison the way AD compares', () => {
    expect(normalizeDn('CN=NES Users, OU=Groups ,DC=Nes,DC=Test')).toBe(
      normalizeDn('cn=nes users,ou=groups,dc=nes,dc=test'),
    );
    expect(normalizeDn('CN=a\\2cb,DC=x')).toBe(normalizeDn('CN=a\\,b,DC=x'));
  });
});
