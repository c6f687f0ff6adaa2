import { describe, expect, it } from 'vitest';
import { and, equals, filterValue, or } from './ldap-filter.js';

describe('LDAP filter values', () => {
  it('escapes the RFC 4515 specials and NUL, and nothing else', () => {
    expect(filterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(filterValue('a\\b\u0000c')).toBe('a\\5cb\\00c');
    expect(filterValue('Jöhn Doe, Jr.')).toBe('Jöhn Doe, Jr.');
  });

  it('builds filters whose structure user input cannot change', () => {
    expect(equals('sAMAccountName', 'x)(|(objectClass=*')).toBe(
      '(sAMAccountName=x\\29\\28|\\28objectClass=\\2a)',
    );
    expect(and('(a=1)', '', '(b=2)')).toBe('(&(a=1)(b=2))');
    expect(and('(a=1)')).toBe('(a=1)');
    expect(or(['(a=1)', '(b=2)'])).toBe('(|(a=1)(b=2))');
  });
});
