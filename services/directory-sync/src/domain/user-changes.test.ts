import { directoryV1 } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { userChanges, type UserSnapshot } from './user-changes.js';

const view = directoryV1.User.fromPartial({
  guid: 'g',
  samAccountName: 'alice',
  state: directoryV1.UserState.ACTIVE,
  pwdLastSet: new Date('2026-11-01T00:00:00Z'),
  usnChanged: 10n,
  dc: 'dc1',
});
const before: UserSnapshot = {
  view,
  state: 'active',
  pwdLastSetMax: new Date('2026-11-01T00:00:00Z'),
};

describe('userChanges', () => {
  it('announces a first sight, but not a first sight of a removed user', () => {
    expect(userChanges(undefined, before)).toEqual([
      { kind: 'synced', firstSeen: true, changedFields: [] },
    ]);
    expect(userChanges(undefined, { ...before, state: 'deleted' })).toEqual([]);
  });

  it('ignores re-reads that only moved the USN, time or DC', () => {
    const reread = {
      ...before,
      view: { ...view, usnChanged: 99n, dc: 'dc2', observedAt: new Date() },
    };
    expect(userChanges(before, reread)).toEqual([]);
  });

  it('names changed fields, state moves and password changes', () => {
    const after: UserSnapshot = {
      view: {
        ...view,
        displayName: 'Alice A.',
        state: directoryV1.UserState.LOCKED,
        pwdLastSet: new Date('2026-11-20T00:00:00Z'),
      },
      state: 'locked',
      pwdLastSetMax: new Date('2026-11-20T00:00:00Z'),
    };
    expect(userChanges(before, after)).toEqual([
      {
        kind: 'synced',
        firstSeen: false,
        changedFields: ['display_name', 'pwd_last_set', 'state'],
      },
      { kind: 'state_changed', previousState: directoryV1.UserState.ACTIVE },
      { kind: 'password_changed', previousPwdLastSet: new Date('2026-11-01T00:00:00Z') },
    ]);
  });

  it('says only "deleted" when a user leaves, once', () => {
    const gone: UserSnapshot = {
      ...before,
      state: 'deleted',
      view: { ...view, state: directoryV1.UserState.DELETED },
    };
    expect(userChanges(before, gone)).toEqual([{ kind: 'deleted' }]);
    expect(userChanges(gone, gone)).toEqual([]);
  });

  it('does not call an unchanged high-water mark a password change', () => {
    const mustChange: UserSnapshot = {
      ...before,
      state: 'must_change_password',
      view: { ...view, pwdLastSet: undefined, state: directoryV1.UserState.MUST_CHANGE_PASSWORD },
    };
    expect(userChanges(before, mustChange).map((c) => c.kind)).toEqual(['synced', 'state_changed']);
  });
});
