import { and, filterValue, or } from '../domain/ldap-filter.js';

/** LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups. */
const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** What decides whether a user is in NES' scope, besides the base DNs. */
export interface ScopeSettings {
  readonly userFilter: string;
  /** When set, only (nested) members of the NES users group are in scope… */
  readonly usersGroupDn?: string | undefined;
  /** …and of the NES administrators group, who can always sign in to the console. */
  readonly adminsGroupDn?: string | undefined;
}

/** The filter of users in scope, and'ed with `extra` (already a filter). */
export function scopeFilter(settings: ScopeSettings, extra = ''): string {
  const groups =
    settings.usersGroupDn === undefined ? [] : [settings.usersGroupDn, settings.adminsGroupDn];
  const membership = groups
    .filter((dn): dn is string => dn !== undefined)
    .map((dn) => `(memberOf:${IN_CHAIN}:=${filterValue(dn)})`);
  return and(settings.userFilter, membership.length === 0 ? '' : or(membership), extra);
}
