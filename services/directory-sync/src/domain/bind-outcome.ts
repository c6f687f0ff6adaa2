/**
 * What a simple bind as the user says about a typed password. AD answers a
 * failed bind with LDAP result 49 (invalidCredentials) and a diagnostic
 * message carrying a Win32 sub-code ("... AcceptSecurityContext error,
 * data 52e, v1db1"); the sub-code is the reason.
 */

/** The typed answer of a password check (mirrors the gRPC enum). */
export type PasswordCheck =
  | 'ok'
  | 'invalid_password'
  | 'password_expired'
  | 'must_change'
  | 'account_disabled'
  | 'account_locked'
  | 'account_expired'
  | 'no_such_account'
  | 'stale_password';

/**
 * AD's sub-codes of a failed bind (Win32 error codes, hexadecimal) and what
 * they mean for a password check.
 */
export const AD_BIND_SUBCODES: Readonly<Record<string, PasswordCheck>> = {
  /** ERROR_NO_SUCH_USER. */
  '525': 'no_such_account',
  /** ERROR_LOGON_FAILURE: wrong password (Samba also answers it for unknown users). */
  '52e': 'invalid_password',
  /** ERROR_INVALID_LOGON_HOURS: the account may not sign in now. */
  '530': 'account_disabled',
  /** ERROR_INVALID_WORKSTATION: the account may not sign in from here. */
  '531': 'account_disabled',
  /** ERROR_PASSWORD_EXPIRED. */
  '532': 'password_expired',
  /** ERROR_ACCOUNT_DISABLED. */
  '533': 'account_disabled',
  /** ERROR_ACCOUNT_EXPIRED. */
  '701': 'account_expired',
  /** ERROR_PASSWORD_MUST_CHANGE. */
  '773': 'must_change',
  /** ERROR_ACCOUNT_LOCKED_OUT. */
  '775': 'account_locked',
};

/** The sub-code in a bind failure's diagnostic message, lower-case; undefined when there is none. */
export function adBindSubcode(message: string): string | undefined {
  const match = /\bdata ([0-9a-f]{1,8})\b/i.exec(message);
  return match?.[1]?.toLowerCase();
}

/**
 * The check result for a failed bind's sub-code. A code-49 failure without a
 * sub-code, or with one NES does not know, is a wrong password: AD counted it
 * as a bad attempt either way.
 */
export function checkFromSubcode(subcode: string | undefined): PasswordCheck {
  return (subcode === undefined ? undefined : AD_BIND_SUBCODES[subcode]) ?? 'invalid_password';
}
