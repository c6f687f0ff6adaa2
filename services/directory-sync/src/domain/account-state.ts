/**
 * The one rule that turns a user's account attributes into the state that
 * decides whether the account can sign in. Pure: time is an argument.
 */

/** userAccountControl flags NES reads (MS-ADTS 2.2.16). */
export const UAC = {
  ACCOUNTDISABLE: 0x0000_0002,
  LOCKOUT: 0x0000_0010,
  NORMAL_ACCOUNT: 0x0000_0200,
  DONT_EXPIRE_PASSWORD: 0x0001_0000,
  PASSWORD_EXPIRED: 0x0080_0000,
} as const;

/** Where an account stands, in the order a bind reports conditions. */
export type AccountState =
  | 'active'
  | 'disabled'
  | 'locked'
  | 'account_expired'
  | 'password_expired'
  | 'must_change_password'
  | 'deleted';

/** The attributes the state depends on, already parsed from AD's encodings. */
export interface AccountAttributes {
  /** Seen as a tombstone, or no longer in the synced scope. */
  readonly removed: boolean;
  readonly userAccountControl: number;
  /**
   * msDS-User-Account-Control-Computed as read at `observedAt` (LOCKOUT and
   * PASSWORD_EXPIRED, computed by the DC with fine-grained policies applied);
   * undefined when the directory does not compute it.
   */
  readonly userAccountControlComputed: number | undefined;
  /** null: never expires. */
  readonly accountExpires: Date | null;
  /** null: not locked (lockoutTime 0). */
  readonly lockoutTime: Date | null;
  /** null: must change at next logon (pwdLastSet 0). */
  readonly pwdLastSet: Date | null;
  /**
   * msDS-UserPasswordExpiryTimeComputed: null never expires, undefined when
   * the directory does not compute it.
   */
  readonly passwordExpiresAt: Date | null | undefined;
}

/** Domain policy the state depends on. */
export interface StatePolicy {
  /**
   * How long a lockout lasts: null until an administrator unlocks,
   * undefined when unknown (the DC's computed flag is then trusted as is).
   */
  readonly lockoutDurationMs: number | null | undefined;
}

/** The state, and when time alone will change it (a lockout ending, an expiry). */
export interface StateAt {
  readonly state: AccountState;
  /** The next instant at which re-evaluating may give another state; null if none. */
  readonly changesAt: Date | null;
}

/**
 * Computes the account state at `now`. When several conditions hold, the
 * first of deleted, locked, disabled, account expired, password expired and
 * must change wins — the order in which AD answers a bind (775 before 533
 * before 701 before 532 and 773), so the state predicts what a password check
 * answers.
 *
 * - locked: lockoutTime is set, the DC's computed LOCKOUT flag (when it
 *   computes one) said locked when it was read, and the lockout has not run
 *   out (lockoutTime + lockoutDuration; "until unlocked" and an unknown
 *   duration never run out).
 * - disabled: ACCOUNTDISABLE.
 * - account expired: accountExpires has passed.
 * - must change: pwdLastSet is 0, unless the password never expires (AD then
 *   ignores the flag).
 * - password expired: the computed expiry time has passed, or the DC said
 *   PASSWORD_EXPIRED (a password does not un-expire without a change).
 */
export function accountState(attrs: AccountAttributes, policy: StatePolicy, now: Date): StateAt {
  const t = now.getTime();
  const pending: number[] = [];
  /** Whether `at` has passed; a future `at` is remembered as a pending transition. */
  const passed = (at: Date | null | undefined): boolean => {
    if (!at) return false;
    if (at.getTime() > t) {
      pending.push(at.getTime());
      return false;
    }
    return true;
  };
  const result = (state: AccountState): StateAt => {
    const next = pending.length === 0 ? null : new Date(Math.min(...pending));
    return { state, changesAt: next };
  };

  if (attrs.removed) return { state: 'deleted', changesAt: null };

  if (attrs.lockoutTime !== null && isLocked(attrs, policy, t, pending)) return result('locked');

  if ((attrs.userAccountControl & UAC.ACCOUNTDISABLE) !== 0) return result('disabled');

  if (passed(attrs.accountExpires)) return result('account_expired');

  const neverExpires = (attrs.userAccountControl & UAC.DONT_EXPIRE_PASSWORD) !== 0;
  if (attrs.pwdLastSet === null) {
    return neverExpires ? result('active') : result('must_change_password');
  }
  if (!neverExpires) {
    const flagged = ((attrs.userAccountControlComputed ?? 0) & UAC.PASSWORD_EXPIRED) !== 0;
    if (passed(attrs.passwordExpiresAt) || flagged) return result('password_expired');
  }
  return result('active');
}

function isLocked(
  attrs: AccountAttributes,
  policy: StatePolicy,
  t: number,
  pending: number[],
): boolean {
  const { lockoutTime, userAccountControlComputed: computed } = attrs;
  if (lockoutTime === null) return false;
  // The DC computed the lockout when it was read (fine-grained policies
  // included); a lockout it called over does not come back with time.
  if (computed !== undefined && (computed & UAC.LOCKOUT) === 0) return false;
  const duration = policy.lockoutDurationMs;
  if (duration === null || duration === undefined) return true;
  const endsAt = lockoutTime.getTime() + duration;
  if (endsAt <= t) return false;
  pending.push(endsAt);
  return true;
}
