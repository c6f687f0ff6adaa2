import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { scopeFilter } from './scope-filter.js';

const userFilter = '(&(objectCategory=person)(objectClass=user))';

describe('scopeFilter', () => {
  it('is the user filter alone without a users group', () => {
    expect(
      scopeFilter({ userFilter, usersGroupDn: undefined, adminsGroupDn: 'CN=Admins,DC=x' }),
    ).toBe(userFilter);
  });

  it('adds nested membership of the users and admins groups, escaped', () => {
    const filter = scopeFilter(
      {
        userFilter,
        usersGroupDn: 'CN=NES Users (all),DC=x',
        adminsGroupDn: 'CN=Admins\\, NES,DC=x',
      },
      '(sAMAccountName=alice)',
    );
    expect(filter).toBe(
      '(&(&(objectCategory=person)(objectClass=user))' +
        '(|(memberOf:1.2.840.113556.1.4.1941:=CN=NES Users \\28all\\29,DC=x)' +
        '(memberOf:1.2.840.113556.1.4.1941:=CN=Admins\\5c, NES,DC=x))' +
        '(sAMAccountName=alice))',
    );
    expect(() => FilterParser.parseString(filter)).not.toThrow();
  });
});
