import { describe, expect, it } from 'vitest';
import { accountState, UAC, type AccountAttributes, type AccountState } from './account-state.js';

const now = new Date('2026-11-28T12:00:00Z');
const hour = 3_600_000;
const past = new Date(now.getTime() - hour);
const future = new Date(now.getTime() + hour);

/** An active account: enabled, never expires, password set yesterday, expiring in 41 days. */
const active: AccountAttributes = {
  removed: false,
  userAccountControl: UAC.NORMAL_ACCOUNT,
  userAccountControlComputed: 0,
  accountExpires: null,
  lockoutTime: null,
  pwdLastSet: new Date(now.getTime() - 24 * hour),
  passwordExpiresAt: new Date(now.getTime() + 41 * 24 * hour),
};

/** The conditions, in AD's precedence (the first that holds wins). */
const conditions: [AccountState, (a: AccountAttributes) => AccountAttributes][] = [
  ['deleted', (a) => ({ ...a, removed: true })],
  [
    'locked',
    (a) => ({
      ...a,
      lockoutTime: past,
      userAccountControlComputed: (a.userAccountControlComputed ?? 0) | UAC.LOCKOUT,
    }),
  ],
  ['disabled', (a) => ({ ...a, userAccountControl: a.userAccountControl | UAC.ACCOUNTDISABLE })],
  ['account_expired', (a) => ({ ...a, accountExpires: past })],
  [
    'password_expired',
    (a) => ({
      ...a,
      passwordExpiresAt: past,
      userAccountControlComputed: (a.userAccountControlComputed ?? 0) | UAC.PASSWORD_EXPIRED,
    }),
  ],
  ['must_change_password', (a) => ({ ...a, pwdLastSet: null, passwordExpiresAt: null })],
];

describe('accountState', () => {
  // Every one of the 64 combinations: the first condition that holds wins.
  const combinations = Array.from({ length: 2 ** conditions.length }, (_, mask) => mask);
  it.each(combinations)('combination %i picks the first condition in AD order', (mask) => {
    let attrs = active;
    const held: AccountState[] = [];
    conditions.forEach(([state, apply], i) => {
      if (mask & (1 << i)) {
        attrs = apply(attrs);
        held.push(state);
      }
    });
    // pwdLastSet 0 and an expired password exclude each other (must change hides expiry).
    const expected =
      held.find((s) => !(s === 'password_expired' && held.includes('must_change_password'))) ??
      'active';
    expect(accountState(attrs, { lockoutDurationMs: 2 * hour }, now).state).toBe(expected);
  });

  it('is active with nothing set', () => {
    expect(accountState(active, { lockoutDurationMs: undefined }, now)).toEqual({
      state: 'active',
      changesAt: active.passwordExpiresAt,
    });
  });

  it('ends a lockout after the lockout duration, and says when', () => {
    const locked = { ...active, lockoutTime: past, userAccountControlComputed: UAC.LOCKOUT };
    const twoHours = { lockoutDurationMs: 2 * hour };
    expect(accountState(locked, twoHours, now)).toEqual({
      state: 'locked',
      changesAt: new Date(past.getTime() + 2 * hour),
    });
    expect(accountState(locked, { lockoutDurationMs: 30 * 60_000 }, now).state).toBe('active');
    // "Until an administrator unlocks", or unknown: it stays.
    expect(accountState(locked, { lockoutDurationMs: null }, now).state).toBe('locked');
    expect(accountState(locked, { lockoutDurationMs: undefined }, now).state).toBe('locked');
  });

  it("trusts the DC's computed flag when it said the lockout is over", () => {
    const stale = { ...active, lockoutTime: past, userAccountControlComputed: 0 };
    expect(accountState(stale, { lockoutDurationMs: null }, now).state).toBe('active');
    // A directory that computes nothing: lockoutTime alone counts.
    const uncomputed = { ...active, lockoutTime: past, userAccountControlComputed: undefined };
    expect(accountState(uncomputed, { lockoutDurationMs: undefined }, now).state).toBe('locked');
  });

  it('expires the account and the password with time', () => {
    const expiring = { ...active, accountExpires: future };
    expect(accountState(expiring, { lockoutDurationMs: null }, now)).toEqual({
      state: 'active',
      changesAt: future,
    });
    expect(
      accountState(expiring, { lockoutDurationMs: null }, new Date(future.getTime())).state,
    ).toBe('account_expired');
    const pwd = { ...active, passwordExpiresAt: future };
    expect(
      accountState(pwd, { lockoutDurationMs: null }, new Date(future.getTime() + 1)).state,
    ).toBe('password_expired');
  });

  it('ignores must-change and expiry when the password never expires (as AD does)', () => {
    const flags = UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD;
    const never = { ...active, userAccountControl: flags, pwdLastSet: null };
    expect(accountState(never, { lockoutDurationMs: null }, now).state).toBe('active');
    const expired = {
      ...active,
      userAccountControl: flags,
      userAccountControlComputed: UAC.PASSWORD_EXPIRED,
      passwordExpiresAt: past,
    };
    expect(accountState(expired, { lockoutDurationMs: null }, now).state).toBe('active');
  });

  it('reports the password expired from the computed flag alone', () => {
    const flagged = {
      ...active,
      passwordExpiresAt: undefined,
      userAccountControlComputed: UAC.PASSWORD_EXPIRED,
    };
    expect(accountState(flagged, { lockoutDurationMs: null }, now).state).toBe('password_expired');
  });

  it('has no pending change for a deleted account', () => {
    expect(
      accountState(
        { ...active, removed: true, accountExpires: future },
        { lockoutDurationMs: null },
        now,
      ),
    ).toEqual({
      state: 'deleted',
      changesAt: null,
    });
  });
});
