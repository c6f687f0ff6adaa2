import { describe, expect, it } from 'vitest';
import { AccountNameError, parseAccountName } from './account-name.js';

describe('parseAccountName', () => {
  it('parses DOMAIN\\user, upper-casing the domain', () => {
    expect(parseAccountName('nes\\Alice')).toEqual({
      kind: 'down_level',
      domain: 'NES',
      samAccountName: 'Alice',
    });
  });

  it('parses a UPN', () => {
    expect(parseAccountName('alice@nes.test')).toEqual({ kind: 'upn', upn: 'alice@nes.test' });
    // Filter syntax is legal in a UPN prefix; it is escaped, never interpreted.
    expect(parseAccountName('a*)(x=*@nes.test')).toEqual({ kind: 'upn', upn: 'a*)(x=*@nes.test' });
  });

  it.each([
    ['', /empty/],
    ['alice', /expected DOMAIN/],
    ['NES\\*)(uid=*', /characters AD does not allow/],
    ['NES\\alice)(|(cn=*', /characters AD does not allow/],
    ['NES\\al\u0000ice', /control characters/],
    ['NES\\ alice', /space/],
    ['NES\\alice.', /dot/],
    ['NES\\', /empty/],
    ['N E S\\alice', /NetBIOS/],
    ['TOOLONGNETBIOSNAME\\alice', /NetBIOS/],
    [`NES\\${'a'.repeat(65)}`, /longer than 64/],
    ['alice@', /not a DNS name/],
    ['alice@not a domain', /DNS/],
    [`${'a'.repeat(300)}@nes.test`, /longer than 256/],
    [' alice@nes.test', /padded/],
  ])('refuses %j', (input, message) => {
    expect(() => parseAccountName(input)).toThrow(AccountNameError);
    expect(() => parseAccountName(input)).toThrow(message);
  });
});
