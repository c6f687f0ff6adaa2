import { hasControlCharacters } from './text.js';

/**
 * The two ways a user names an account: the down-level logon name
 * ("DOMAIN\user", what the device autofills) and the user principal name
 * ("user@example.test"). Parsing is strict: anything a directory would not
 * accept as a name is refused before it reaches a filter or a bind.
 */

/** A parsed account name. */
export type AccountName =
  | { readonly kind: 'down_level'; readonly domain: string; readonly samAccountName: string }
  | { readonly kind: 'upn'; readonly upn: string };

/** Characters AD refuses in sAMAccountName (plus control characters). */
const SAM_FORBIDDEN = /["/\\[\]:;|=,+*?<>@]/;
/** NetBIOS domain names: 1–15 characters, no spaces or specials. */
const NETBIOS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
/** A DNS domain for the UPN suffix. */
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Longest sAMAccountName NES accepts (AD's own limit is 20 for users, 256 in the schema). */
export const MAX_SAM_LENGTH = 64;
/** Longest UPN NES accepts. */
export const MAX_UPN_LENGTH = 256;

/** Why a name was refused, for the caller. */
export class AccountNameError extends Error {
  override readonly name = 'AccountNameError';
}

/**
 * Parses "DOMAIN\user" or "user@dns.domain".
 *
 * @throws AccountNameError naming what is wrong (never echoing control characters).
 */
export function parseAccountName(input: string): AccountName {
  if (input.length === 0) throw new AccountNameError('account name is empty');
  if (hasControlCharacters(input))
    throw new AccountNameError('account name contains control characters');
  const backslash = input.indexOf('\\');
  if (backslash >= 0) {
    const domain = input.slice(0, backslash);
    const samAccountName = input.slice(backslash + 1);
    if (!NETBIOS.test(domain)) throw new AccountNameError('domain part is not a NetBIOS name');
    checkSamAccountName(samAccountName);
    return { kind: 'down_level', domain: domain.toUpperCase(), samAccountName };
  }
  const at = input.lastIndexOf('@');
  if (at > 0) {
    if (input.length > MAX_UPN_LENGTH) {
      throw new AccountNameError(`user principal name is longer than ${MAX_UPN_LENGTH} characters`);
    }
    const suffix = input.slice(at + 1);
    if (!DNS_NAME.test(suffix)) throw new AccountNameError('UPN suffix is not a DNS name');
    const prefix = input.slice(0, at);
    if (prefix.trim() !== prefix || prefix.length === 0) {
      throw new AccountNameError('UPN prefix is empty or padded with spaces');
    }
    return { kind: 'upn', upn: input };
  }
  throw new AccountNameError('expected DOMAIN\\user or a user principal name (user@domain)');
}

/** Checks a bare sAMAccountName. @throws AccountNameError */
export function checkSamAccountName(name: string): void {
  if (name.length === 0) throw new AccountNameError('user name is empty');
  if (name.length > MAX_SAM_LENGTH) {
    throw new AccountNameError(`user name is longer than ${MAX_SAM_LENGTH} characters`);
  }
  if (hasControlCharacters(name) || SAM_FORBIDDEN.test(name)) {
    throw new AccountNameError('user name contains characters AD does not allow');
  }
  if (name.trim() !== name || name.endsWith('.')) {
    throw new AccountNameError('user name starts or ends with a space, or ends with a dot');
  }
}

/** "DOMAIN\user" for display and events. */
export function downLevelName(domain: string, samAccountName: string): string {
  return `${domain}\\${samAccountName}`;
}
