import type { ObjectStamps } from './repl-metadata.js';

/**
 * One domain controller's view of one user, as a sync read it. NES keeps the
 * latest observation per (user, DC) and merges them into the user it serves
 * (see merge-observations.ts).
 */

/** The attributes of a user as read from one DC, parsed from AD's encodings. */
export interface ObservedAttributes {
  /** objectSid, "S-1-5-21-…". */
  readonly sid: string;
  /** NetBIOS domain name. */
  readonly domain: string;
  readonly samAccountName: string;
  /** userPrincipalName; empty when unset. */
  readonly upn: string;
  readonly displayName: string;
  readonly distinguishedName: string;
  readonly mail: string;
  /** memberOf: DNs of the groups the user is a direct member of. */
  readonly groupDns: readonly string[];
  readonly userAccountControl: number;
  readonly userAccountControlComputed: number | undefined;
  readonly accountExpires: Date | null;
  readonly lockoutTime: Date | null;
  readonly pwdLastSet: Date | null;
  readonly passwordExpiresAt: Date | null | undefined;
  /** Replication metadata, when the directory returns it. */
  readonly stamps: ObjectStamps | undefined;
}

/**
 * Whether the user is there for this DC: `present` (in the synced scope),
 * `out_of_scope` (exists but left the base DNs, the filter or the users
 * group) or `deleted` (a tombstone).
 */
export type Presence = 'present' | 'out_of_scope' | 'deleted';

/** One DC's latest view of one user. */
export interface Observation {
  /** objectGUID, canonical lower-case. */
  readonly guid: string;
  /** The DC's id (its configured host name). */
  readonly dc: string;
  readonly site: string;
  readonly presence: Presence;
  /** uSNChanged at that DC: orders this DC's views of the user, and nothing else. */
  readonly usnChanged: bigint;
  /** When NES read it. */
  readonly observedAt: Date;
  /**
   * When NES first saw this DC's view differ from its previous one: the
   * moment news about the user reached that DC (or reached NES through it).
   */
  readonly changedAt: Date;
  /** The last attributes this DC returned (kept when it later reports the user gone). */
  readonly attributes: ObservedAttributes | undefined;
}

/**
 * Whether two views of the same user carry the same information (ignoring
 * when they were read), i.e. whether the DC's view changed.
 */
export function sameView(a: Observation, b: Observation): boolean {
  return a.presence === b.presence && canonical(a.attributes) === canonical(b.attributes);
}

/** JSON with object keys sorted and Dates as ISO strings: equal data, equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return Object.fromEntries(entries);
  });
}
