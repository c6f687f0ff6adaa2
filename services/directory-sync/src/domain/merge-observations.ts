import { accountState, UAC, type AccountState, type StatePolicy } from './account-state.js';
import type { Observation, ObservedAttributes } from './observation.js';
import { compareStamps, type StampedAttribute } from './repl-metadata.js';

/** Why a user is no longer served: a tombstone, or it left the synced scope. */
export type Removal = 'deleted' | 'out_of_scope';

/** The user NES serves, merged from every DC's view. */
export interface MergedUser {
  readonly guid: string;
  readonly attributes: ObservedAttributes;
  /** Site and DC of the freshest view, which supplied the non-state attributes. */
  readonly site: string;
  readonly dc: string;
  readonly usnChanged: bigint;
  readonly observedAt: Date;
  readonly removed: Removal | null;
  readonly state: AccountState;
  /** When time alone will change `state` (lockout end, an expiry); null if never. */
  readonly stateChangesAt: Date | null;
  /**
   * The newest password-set time seen at any site. It never moves backwards:
   * a site that has not received a password change yet cannot make NES
   * believe the older password is current again.
   */
  readonly pwdLastSetMax: Date | null;
  /** The site where `pwdLastSetMax` was first seen. */
  readonly pwdLastSetSite: string | null;
}

/** What the previous merge knew that must survive (high-water marks, tombstones). */
export type MergeHistory = Pick<MergedUser, 'pwdLastSetMax' | 'pwdLastSetSite' | 'removed'>;

/**
 * Merges the per-DC views of one user into the user NES serves.
 *
 * - Account-state attributes (userAccountControl, lockoutTime,
 *   accountExpires, pwdLastSet) are taken attribute by attribute from the
 *   DC holding the newest write of that attribute, by AD's own conflict rule
 *   on replication metadata (version, originating time, originating DC). A
 *   change made at any site therefore wins as soon as NES reads it there, and
 *   a site that has not replicated it yet cannot roll it back. Without
 *   metadata, the freshest view supplies them too.
 * - Everything else comes from the freshest view: the one whose newest
 *   originating change is the latest (by NES' observation time without
 *   metadata).
 * - A tombstone at any DC removes the user for good; otherwise the DC whose
 *   view of the user's presence changed last decides whether it is in scope.
 * - `pwdLastSetMax` only grows.
 *
 * Returns undefined when no DC ever returned the user's attributes.
 */
export function mergeObservations(
  observations: readonly Observation[],
  history: MergeHistory | undefined,
  policy: StatePolicy,
  now: Date,
): MergedUser | undefined {
  const withAttributes = observations.filter(hasAttributes);
  if (withAttributes.length === 0) return undefined;
  const removed = mergePresence(observations, history);
  const present = withAttributes.filter((o) => o.presence === 'present');
  const candidates = removed === null && present.length > 0 ? present : withAttributes;
  const base = freshest(candidates);
  const pick = (name: StampedAttribute) => newestWrite(candidates, name) ?? base;
  const uac = pick('userAccountControl');
  const lockout = pick('lockoutTime');
  const password = pick('pwdLastSet');
  const expiry = pick('accountExpires');
  const attributes: ObservedAttributes = {
    ...base.attributes,
    userAccountControl: uac.attributes.userAccountControl,
    lockoutTime: lockout.attributes.lockoutTime,
    pwdLastSet: password.attributes.pwdLastSet,
    passwordExpiresAt: password.attributes.passwordExpiresAt,
    accountExpires: expiry.attributes.accountExpires,
    userAccountControlComputed: combineComputed(uac, lockout, password),
  };
  const { state, changesAt } = accountState(
    { ...attributes, removed: removed !== null },
    policy,
    now,
  );
  const high = highWater(candidates, history);
  return {
    guid: base.guid,
    attributes,
    site: base.site,
    dc: base.dc,
    usnChanged: base.usnChanged,
    observedAt: base.observedAt,
    removed,
    state,
    stateChangesAt: changesAt,
    pwdLastSetMax: high.at,
    pwdLastSetSite: high.site,
  };
}

type Attributed = Observation & { readonly attributes: ObservedAttributes };

function hasAttributes(o: Observation): o is Attributed {
  return o.attributes !== undefined;
}

function mergePresence(
  observations: readonly Observation[],
  history: MergeHistory | undefined,
): Removal | null {
  if (history?.removed === 'deleted' || observations.some((o) => o.presence === 'deleted')) {
    return 'deleted';
  }
  const latest = maxBy(observations, (a, b) => a.changedAt.getTime() - b.changedAt.getTime());
  return latest?.presence === 'out_of_scope' ? 'out_of_scope' : null;
}

/** The view with the newest originating change (observation time without metadata). */
function freshest(candidates: readonly Attributed[]): Attributed {
  const best = maxBy(candidates, (a, b) => {
    const newest = (o: Attributed) => o.attributes.stamps?.newestChange?.getTime() ?? 0;
    return (
      newest(a) - newest(b) ||
      a.changedAt.getTime() - b.changedAt.getTime() ||
      a.observedAt.getTime() - b.observedAt.getTime()
    );
  });
  if (!best) throw new Error('freshest() needs at least one view');
  return best;
}

/** The view holding the newest write of `name`, if every candidate has metadata for it. */
function newestWrite(candidates: readonly Attributed[], name: StampedAttribute) {
  const stamped = candidates.filter((o) => o.attributes.stamps?.attributes[name] !== undefined);
  if (stamped.length !== candidates.length) return undefined;
  return maxBy(stamped, (a, b) => {
    const sa = a.attributes.stamps?.attributes[name];
    const sb = b.attributes.stamps?.attributes[name];
    return sa && sb ? compareStamps(sa, sb) : 0;
  });
}

/**
 * The computed flags follow the attribute they are computed from: LOCKOUT
 * from the view that supplied lockoutTime, PASSWORD_EXPIRED from the one that
 * supplied pwdLastSet.
 */
function combineComputed(uac: Attributed, lockout: Attributed, password: Attributed) {
  const flags = (o: Attributed) => o.attributes.userAccountControlComputed;
  if (flags(uac) === undefined && flags(lockout) === undefined && flags(password) === undefined) {
    return undefined;
  }
  const bits = UAC.LOCKOUT | UAC.PASSWORD_EXPIRED;
  return (
    ((flags(uac) ?? 0) & ~bits) |
    ((flags(lockout) ?? 0) & UAC.LOCKOUT) |
    ((flags(password) ?? 0) & UAC.PASSWORD_EXPIRED)
  );
}

function highWater(
  candidates: readonly Attributed[],
  history: MergeHistory | undefined,
): { at: Date | null; site: string | null } {
  let at = history?.pwdLastSetMax ?? null;
  let site = history?.pwdLastSetSite ?? null;
  // Earliest observation first: the site that saw a new password first keeps the credit.
  const ordered = [...candidates].sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime());
  for (const o of ordered) {
    const set = o.attributes.pwdLastSet;
    if (set !== null && (at === null || set.getTime() > at.getTime())) {
      at = set;
      site = o.site;
    }
  }
  return { at, site };
}

/** The maximum by `compare`; the first one wins ties. */
function maxBy<T>(items: readonly T[], compare: (a: T, b: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || compare(item, best) > 0) best = item;
  return best;
}
