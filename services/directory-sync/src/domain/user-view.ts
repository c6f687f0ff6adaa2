import { directoryV1 } from '@nes/proto';
import type { AccountState } from './account-state.js';
import type { MergedUser } from './merge-observations.js';

const { UserState } = directoryV1;

/** A group as users reference it; guid and name are empty until the group was synced. */
export interface GroupInfo {
  readonly guid: string;
  readonly distinguishedName: string;
  readonly name: string;
}

const STATE_TO_PROTO: Readonly<Record<AccountState, directoryV1.UserState>> = {
  active: UserState.ACTIVE,
  disabled: UserState.DISABLED,
  locked: UserState.LOCKED,
  account_expired: UserState.EXPIRED,
  password_expired: UserState.PASSWORD_EXPIRED,
  must_change_password: UserState.MUST_CHANGE_PASSWORD,
  deleted: UserState.DELETED,
};

/** The proto enum value of a state. */
export function protoState(state: AccountState): directoryV1.UserState {
  return STATE_TO_PROTO[state];
}

/**
 * The user as NES publishes it (gRPC and events). `pwd_last_set` is the
 * newest password-set time seen at any site, unset while the user must
 * change the password.
 */
export function toProtoUser(
  user: MergedUser,
  groups: readonly GroupInfo[],
  domain: string,
): directoryV1.User {
  const a = user.attributes;
  return {
    guid: user.guid,
    sid: a.sid,
    domain: a.domain || domain,
    samAccountName: a.samAccountName,
    upn: a.upn,
    displayName: a.displayName,
    distinguishedName: a.distinguishedName,
    mail: a.mail,
    groups: groups.map((g) => ({
      guid: g.guid,
      distinguishedName: g.distinguishedName,
      name: g.name,
    })),
    site: user.site,
    state: protoState(user.state),
    pwdLastSet: a.pwdLastSet === null ? undefined : (user.pwdLastSetMax ?? a.pwdLastSet),
    accountExpiresAt: a.accountExpires ?? undefined,
    lockedOutAt: user.state === 'locked' ? (a.lockoutTime ?? undefined) : undefined,
    userAccountControl: a.userAccountControl >>> 0,
    usnChanged: user.usnChanged,
    observedAt: user.observedAt,
    dc: user.dc,
  };
}

/** User fields that say when and where a record was read, not what it says. */
const VOLATILE: ReadonlySet<string> = new Set(['usnChanged', 'observedAt', 'dc', 'site']);

/** proto field name (snake_case) of a ts-proto property. */
function protoFieldName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Proto field names whose values differ between two views of a user, volatile fields aside. */
export function changedFields(before: directoryV1.User, after: directoryV1.User): string[] {
  const fields: string[] = [];
  for (const key of Object.keys(after) as (keyof directoryV1.User)[]) {
    if (VOLATILE.has(key)) continue;
    if (!sameValue(before[key], after[key])) fields.push(protoFieldName(key));
  }
  return fields.sort();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (typeof a === 'object' || typeof b === 'object') {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}
