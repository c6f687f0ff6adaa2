import { randomBytes } from 'node:crypto';
import { Attribute, Change } from 'ldapts';
import { uniqueName } from '../names.js';
import type { AdInfra } from '../types.js';
import { withAdAdmin } from './tls.js';

/** userAccountControl flags the helpers set. */
const UAC_NORMAL_ACCOUNT = 0x200;
const UAC_ACCOUNTDISABLE = 0x2;

/** A user made by {@link createAdUser}. */
export interface AdUser {
  dn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  /** `DOMAIN\sAMAccountName`, as the device autofills it. */
  logonName: string;
  password: string;
}

/** Options of {@link createAdUser}; the defaults give an enabled user with a fresh password. */
export interface CreateAdUserOptions {
  /** Container or OU to create it in; default `CN=Users,<baseDn>`. */
  parentDn?: string;
  /** At most 20 characters (an AD limit); default a unique `u_…` name. */
  sAMAccountName?: string;
  password?: string;
  disabled?: boolean;
  /** pwdLastSet = 0: the next bind fails with "must change password" (773). */
  mustChangePassword?: boolean;
  /** accountExpires in the past: binds fail with "account expired" (701). */
  accountExpired?: boolean;
  /** Groups (DNs) to add the user to. */
  memberOf?: string[];
  /** Extra attributes, e.g. `{ givenName: 'Ada', mail: 'ada@nes.test' }`. */
  attributes?: Record<string, string | string[]>;
}

/**
 * Creates a user over LDAPS as the administrator (about 10x faster than
 * samba-tool). Give each test its own users: bad binds lock them out.
 */
export async function createAdUser(
  ad: AdInfra,
  options: CreateAdUserOptions = {},
): Promise<AdUser> {
  const sAMAccountName = options.sAMAccountName ?? uniqueName('u');
  const password = options.password ?? `Pw1-${randomBytes(12).toString('base64url')}`;
  const parentDn = options.parentDn ?? `CN=Users,${ad.baseDn}`;
  const dn = `CN=${sAMAccountName},${parentDn}`;
  const userPrincipalName = `${sAMAccountName}@${ad.realm.toLowerCase()}`;
  const flags = UAC_NORMAL_ACCOUNT | (options.disabled ? UAC_ACCOUNTDISABLE : 0);
  await withAdAdmin(ad, async (client) => {
    await client.add(dn, [
      text('objectClass', ['top', 'person', 'organizationalPerson', 'user']),
      text('sAMAccountName', [sAMAccountName]),
      text('userPrincipalName', [userPrincipalName]),
      new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(password)] }),
      text('userAccountControl', [String(flags)]),
      ...Object.entries(options.attributes ?? {}).map(([type, value]) =>
        text(type, [value].flat()),
      ),
    ]);
    const changes: Change[] = [];
    if (options.mustChangePassword) changes.push(replace('pwdLastSet', '0'));
    if (options.accountExpired)
      changes.push(replace('accountExpires', toFileTime(new Date(Date.now() - 86_400_000))));
    if (changes.length > 0) await client.modify(dn, changes);
    for (const groupDn of options.memberOf ?? []) {
      await client.modify(
        groupDn,
        new Change({ operation: 'add', modification: text('member', [dn]) }),
      );
    }
  });
  return {
    dn,
    sAMAccountName,
    userPrincipalName,
    logonName: `${ad.domain}\\${sAMAccountName}`,
    password,
  };
}

/** Creates an organizational unit (default a unique name under the base DN); returns its DN. */
export async function createAdOu(
  ad: AdInfra,
  name = uniqueName('ou'),
  parentDn = ad.baseDn,
): Promise<string> {
  const dn = `OU=${name},${parentDn}`;
  await withAdAdmin(ad, (client) =>
    client.add(dn, [text('objectClass', ['top', 'organizationalUnit'])]),
  );
  return dn;
}

/** Creates a global security group; returns its DN and name. */
export async function createAdGroup(
  ad: AdInfra,
  options: { name?: string; parentDn?: string } = {},
): Promise<{ dn: string; name: string }> {
  const name = options.name ?? uniqueName('g');
  const dn = `CN=${name},${options.parentDn ?? `CN=Users,${ad.baseDn}`}`;
  await withAdAdmin(ad, (client) =>
    client.add(dn, [text('objectClass', ['top', 'group']), text('sAMAccountName', [name])]),
  );
  return { dn, name };
}

/** Adds `memberDn` (user or group) to the group `groupDn`. */
export async function addAdGroupMember(
  ad: AdInfra,
  groupDn: string,
  memberDn: string,
): Promise<void> {
  await withAdAdmin(ad, (client) =>
    client.modify(
      groupDn,
      new Change({ operation: 'add', modification: text('member', [memberDn]) }),
    ),
  );
}

/** Resets a user's password as the administrator (what a helpdesk does). */
export async function setAdPassword(ad: AdInfra, userDn: string, password: string): Promise<void> {
  await withAdAdmin(ad, (client) =>
    client.modify(
      userDn,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(password)] }),
      }),
    ),
  );
}

/** AD's password attribute: the password in double quotes, UTF-16LE. */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** A date as a Windows FILETIME (100 ns intervals since 1601-01-01), as AD stores times. */
export function toFileTime(date: Date): string {
  return ((BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n).toString();
}

function text(type: string, values: string[]): Attribute {
  return new Attribute({ type, values });
}

function replace(type: string, value: string): Change {
  return new Change({ operation: 'replace', modification: text(type, [value]) });
}
