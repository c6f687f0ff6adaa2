import { describe, expect, it } from 'vitest';
import { AD_BIND_SUBCODES, adBindSubcode, checkFromSubcode } from './bind-outcome.js';

const message = (code: string) =>
  `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${code}, v1db1`;

describe('AD bind sub-codes', () => {
  it.each([
    ['52e', 'invalid_password'],
    ['525', 'no_such_account'],
    ['530', 'account_disabled'],
    ['531', 'account_disabled'],
    ['532', 'password_expired'],
    ['533', 'account_disabled'],
    ['701', 'account_expired'],
    ['773', 'must_change'],
    ['775', 'account_locked'],
  ])('data %s means %s', (code, check) => {
    expect(adBindSubcode(message(code))).toBe(code);
    expect(checkFromSubcode(adBindSubcode(message(code)))).toBe(check);
  });

  it('covers exactly the documented codes', () => {
    expect(Object.keys(AD_BIND_SUBCODES).sort()).toEqual(
      ['525', '52e', '530', '531', '532', '533', '701', '773', '775'].sort(),
    );
  });

  it('reads upper-case codes and treats unknown or missing ones as a wrong password', () => {
    expect(adBindSubcode(message('52E'))).toBe('52e');
    expect(adBindSubcode('Invalid credentials')).toBeUndefined();
    expect(checkFromSubcode(undefined)).toBe('invalid_password');
    expect(checkFromSubcode('568')).toBe('invalid_password');
  });
});
