import type { Entry } from 'ldapts';
import { optionalFileTime, parseInt64 } from '../domain/filetime.js';
import { guidFromBytes, sidFromBytes } from '../domain/guid-sid.js';
import type { ObservedAttributes } from '../domain/observation.js';
import { parseReplPropertyMetaData } from '../domain/repl-metadata.js';
import type { GroupInfo } from '../domain/user-view.js';

/** Attributes read for a user. */
export const USER_ATTRIBUTES = [
  'objectGUID',
  'objectSid',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'mail',
  'memberOf',
  'userAccountControl',
  'msDS-User-Account-Control-Computed',
  'msDS-UserPasswordExpiryTimeComputed',
  'accountExpires',
  'lockoutTime',
  'pwdLastSet',
  'uSNChanged',
  'replPropertyMetaData',
];

/** Attributes read for a group. */
export const GROUP_ATTRIBUTES = ['objectGUID', 'sAMAccountName', 'uSNChanged'];

/** Attributes ldapts must hand over as bytes. */
export const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid', 'replPropertyMetaData'];

/** Case-insensitive access to an entry's attributes. */
class EntryReader {
  private readonly values = new Map<string, Entry[string]>();
  constructor(entry: Entry) {
    for (const [key, value] of Object.entries(entry)) this.values.set(key.toLowerCase(), value);
  }
  text(name: string): string | undefined {
    const value = this.values.get(name.toLowerCase());
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) return undefined;
    return Buffer.isBuffer(first) ? first.toString('utf8') : first;
  }
  texts(name: string): string[] {
    const value = this.values.get(name.toLowerCase());
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  }
  bytes(name: string): Buffer | undefined {
    const value = this.values.get(name.toLowerCase());
    const first = Array.isArray(value) ? value[0] : value;
    return Buffer.isBuffer(first) ? first : undefined;
  }
}

/** A user entry as NES reads it. */
export interface UserEntry {
  readonly guid: string;
  readonly usnChanged: bigint;
  readonly attributes: ObservedAttributes;
}

/** Why an entry could not be read (it lacks what identifies a user). */
export class EntryError extends Error {
  override readonly name = 'EntryError';
}

/**
 * Reads a user entry. Attributes AD leaves out when unset (lockoutTime,
 * accountExpires on some accounts) read as "not set".
 *
 * @throws EntryError when objectGUID, objectSid, sAMAccountName or uSNChanged is missing.
 */
export function readUserEntry(entry: Entry, domain: string): UserEntry {
  const r = new EntryReader(entry);
  const guidBytes = r.bytes('objectGUID');
  const sidBytes = r.bytes('objectSid');
  const sam = r.text('sAMAccountName');
  const usn = parseInt64(r.text('uSNChanged'));
  if (!guidBytes || !sidBytes || sam === undefined || usn === undefined) {
    throw new EntryError(
      `entry ${entry.dn.slice(0, 200)} lacks objectGUID, objectSid, sAMAccountName or uSNChanged`,
    );
  }
  const computed = r.text('msDS-User-Account-Control-Computed');
  const pwdLastSet = optionalFileTime(r.text('pwdLastSet'));
  return {
    guid: guidFromBytes(guidBytes),
    usnChanged: usn,
    attributes: {
      sid: sidFromBytes(sidBytes),
      domain,
      samAccountName: sam,
      upn: r.text('userPrincipalName') ?? '',
      displayName: r.text('displayName') ?? '',
      distinguishedName: entry.dn,
      mail: r.text('mail') ?? '',
      groupDns: r.texts('memberOf').sort(),
      userAccountControl: Number(parseInt64(r.text('userAccountControl')) ?? 0n) >>> 0,
      userAccountControlComputed:
        computed === undefined ? undefined : Number(parseInt64(computed) ?? 0n) >>> 0,
      accountExpires: optionalFileTime(r.text('accountExpires')) ?? null,
      lockoutTime: optionalFileTime(r.text('lockoutTime')) ?? null,
      // An absent pwdLastSet is "never set", which AD treats like 0.
      pwdLastSet: pwdLastSet ?? null,
      passwordExpiresAt: optionalFileTime(r.text('msDS-UserPasswordExpiryTimeComputed')),
      stamps: parseReplPropertyMetaData(r.bytes('replPropertyMetaData')),
    },
  };
}

/** Reads a group entry (objectGUID, DN, sAMAccountName). */
export function readGroupEntry(entry: Entry): GroupInfo & { usnChanged: bigint } {
  const r = new EntryReader(entry);
  const guidBytes = r.bytes('objectGUID');
  if (!guidBytes) throw new EntryError(`group ${entry.dn.slice(0, 200)} lacks objectGUID`);
  return {
    guid: guidFromBytes(guidBytes),
    distinguishedName: entry.dn,
    name: r.text('sAMAccountName') ?? '',
    usnChanged: parseInt64(r.text('uSNChanged')) ?? 0n,
  };
}

/** objectGUID and uSNChanged of any entry (tombstones included). */
export function readGuidAndUsn(entry: Entry): { guid: string; usnChanged: bigint } | undefined {
  const r = new EntryReader(entry);
  const guidBytes = r.bytes('objectGUID');
  if (!guidBytes || guidBytes.length !== 16) return undefined;
  return { guid: guidFromBytes(guidBytes), usnChanged: parseInt64(r.text('uSNChanged')) ?? 0n };
}

/** A single text attribute of an entry (case-insensitive name). */
export function entryText(entry: Entry, name: string): string | undefined {
  return new EntryReader(entry).text(name);
}

/** A single binary attribute of an entry. */
export function entryBytes(entry: Entry, name: string): Buffer | undefined {
  return new EntryReader(entry).bytes(name);
}
