import { enqueue, type OutgoingEvent } from '@nes/bus';
import { withTransaction, type Executor } from '@nes/kit';
import type pg from 'pg';
import type { GoneUser, UserRecord } from '../directory-adapter.js';
import type { StatePolicy } from '../domain/account-state.js';
import { mergeObservations, type MergedUser } from '../domain/merge-observations.js';
import { sameView, type Observation } from '../domain/observation.js';
import { userChanges, type UserSnapshot } from '../domain/user-changes.js';
import { toProtoUser, type GroupInfo } from '../domain/user-view.js';
import { directoryEvents } from '../events.js';
import { resolveGroups, saveGroups } from '../db/groups.js';
import { loadObservations, saveObservation, touchObservations } from '../db/observations.js';
import { lockUsers, saveUser } from '../db/users.js';

/** What applying changes needs. */
export interface ApplyContext {
  readonly pool: pg.Pool;
  readonly domain: string;
  readonly clock: () => Date;
  /** Called with every event enqueued (metrics). */
  readonly onEvents?: (events: readonly OutgoingEvent[]) => void;
}

/** Where the changes were read. */
export interface Source {
  readonly site: string;
  readonly dc: string;
  readonly policy: StatePolicy;
}

/** A DC's new view of one user: its attributes, or that it is gone. */
type View =
  | { readonly guid: string; readonly usnChanged: bigint; readonly present: UserRecord }
  | { readonly guid: string; readonly usnChanged: bigint; readonly gone: GoneUser };

/** Records groups. */
export async function applyGroups(ctx: ApplyContext, groups: readonly GroupInfo[]): Promise<void> {
  await saveGroups(ctx.pool, groups);
}

/** Applies users read in scope from `source`. Returns how many changed. */
export function applyUsers(
  ctx: ApplyContext,
  source: Source,
  users: readonly UserRecord[],
): Promise<number> {
  return applyViews(
    ctx,
    source,
    users.map((u) => ({ guid: u.guid, usnChanged: u.usnChanged, present: u })),
  );
}

/** Applies users `source` reports gone (tombstones, out of scope); unknown users are ignored. */
export function applyGone(
  ctx: ApplyContext,
  source: Source,
  users: readonly GoneUser[],
): Promise<number> {
  return applyViews(
    ctx,
    source,
    users.map((u) => ({ guid: u.guid, usnChanged: u.usnChanged, gone: u })),
  );
}

/**
 * One transaction per batch: per user, lock it (an advisory lock on its
 * GUID, so sites syncing in parallel merge one at a time), store the DC's
 * new view, merge every DC's views, store the merged user and enqueue the
 * events the change calls for. Views identical to the stored ones only
 * refresh their observation time.
 */
async function applyViews(
  ctx: ApplyContext,
  source: Source,
  views: readonly View[],
): Promise<number> {
  const unique = [...new Map(views.map((v) => [v.guid, v])).values()];
  if (unique.length === 0) return 0;
  const outcome = await withTransaction(ctx.pool, async (tx) => {
    const guids = unique.map((v) => v.guid);
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('nes-directory-user:' || g::text, 0))
         FROM unnest($1::uuid[]) AS g ORDER BY g`,
      [guids],
    );
    const existing = await lockUsers(tx, guids);
    const observations = groupBy(await loadObservations(tx, guids), (o) => o.guid);
    const now = ctx.clock();
    const unchanged: string[] = [];
    const events: OutgoingEvent[] = [];
    let changed = 0;
    for (const view of unique) {
      const others = observations.get(view.guid) ?? [];
      const previous = others.find((o) => o.dc === source.dc);
      const before = existing.get(view.guid);
      if ('gone' in view && before === undefined && previous === undefined) continue;
      const next = nextObservation(view, source, previous, now);
      if (previous && before && sameView(previous, next)) {
        unchanged.push(view.guid);
        continue;
      }
      await saveObservation(tx, next);
      const all = [...others.filter((o) => o.dc !== source.dc), next];
      const merged = mergeObservations(all, before, source.policy, now);
      if (!merged) continue;
      events.push(...(await saveMerged(tx, ctx.domain, before, merged)));
      changed += 1;
    }
    await touchObservations(tx, source.dc, unchanged, now);
    if (events.length > 0) await enqueue(tx, events);
    return { changed, events };
  });
  // After the commit: a retried transaction must not count its events twice.
  ctx.onEvents?.(outcome.events);
  return outcome.changed;
}

/** Stores a merged user and returns the events between `before` and it. */
export async function saveMerged(
  tx: Executor,
  domain: string,
  before: MergedUser | undefined,
  after: MergedUser,
): Promise<OutgoingEvent[]> {
  const groupsAfter = await resolveGroups(tx, after.attributes.groupDns);
  const view = toProtoUser(after, groupsAfter, domain);
  let previous: UserSnapshot | undefined;
  if (before) {
    const groupsBefore = await resolveGroups(tx, before.attributes.groupDns);
    previous = {
      view: toProtoUser(before, groupsBefore, domain),
      state: before.state,
      pwdLastSetMax: before.pwdLastSetMax,
    };
  }
  const changes = userChanges(previous, {
    view,
    state: after.state,
    pwdLastSetMax: after.pwdLastSetMax,
  });
  await saveUser(tx, after);
  return directoryEvents(view, changes);
}

function nextObservation(
  view: View,
  source: Source,
  previous: Observation | undefined,
  now: Date,
): Observation {
  const candidate: Observation =
    'present' in view
      ? {
          guid: view.guid,
          dc: source.dc,
          site: source.site,
          presence: 'present',
          usnChanged: view.usnChanged,
          observedAt: now,
          changedAt: now,
          attributes: view.present.attributes,
        }
      : {
          guid: view.guid,
          dc: source.dc,
          site: source.site,
          presence: view.gone.presence,
          usnChanged: view.usnChanged > 0n ? view.usnChanged : (previous?.usnChanged ?? 0n),
          observedAt: now,
          changedAt: now,
          // A DC that reports the user gone keeps its last attributes on record.
          attributes: previous?.attributes,
        };
  // The view changed only if what it says changed; re-reading does not move changedAt.
  return previous && sameView(previous, candidate)
    ? { ...candidate, changedAt: previous.changedAt }
    : candidate;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
