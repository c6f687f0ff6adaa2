import type { Executor } from '@nes/kit';
import type { Observation, Presence } from '../domain/observation.js';
import { attributesFromJson, attributesToJson } from './attributes-json.js';

interface ObservationRow {
  guid: string;
  dc: string;
  site: string;
  presence: Presence;
  usn_changed: string;
  attributes: unknown;
  observed_at: Date;
  changed_at: Date;
}

function fromRow(row: ObservationRow): Observation {
  return {
    guid: row.guid,
    dc: row.dc,
    site: row.site,
    presence: row.presence,
    usnChanged: BigInt(row.usn_changed),
    observedAt: row.observed_at,
    changedAt: row.changed_at,
    attributes: row.attributes === null ? undefined : attributesFromJson(row.attributes),
  };
}

/** Every DC's view of these users. */
export async function loadObservations(
  db: Executor,
  guids: readonly string[],
): Promise<Observation[]> {
  if (guids.length === 0) return [];
  const { rows } = await db.query<ObservationRow>(
    `SELECT guid, dc, site, presence, usn_changed, attributes, observed_at, changed_at
       FROM user_observation WHERE guid = ANY($1::uuid[])`,
    [guids],
  );
  return rows.map(fromRow);
}

/** Writes one DC's view of one user. */
export async function saveObservation(db: Executor, o: Observation): Promise<void> {
  await db.query(
    `INSERT INTO user_observation (guid, dc, site, presence, usn_changed, attributes, observed_at, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (guid, dc) DO UPDATE SET
       site = EXCLUDED.site, presence = EXCLUDED.presence, usn_changed = EXCLUDED.usn_changed,
       attributes = EXCLUDED.attributes, observed_at = EXCLUDED.observed_at,
       changed_at = EXCLUDED.changed_at`,
    [
      o.guid,
      o.dc,
      o.site,
      o.presence,
      o.usnChanged.toString(),
      o.attributes === undefined ? null : JSON.stringify(attributesToJson(o.attributes)),
      o.observedAt,
      o.changedAt,
    ],
  );
}

/** Marks views as read again, unchanged (full sync bookkeeping). */
export async function touchObservations(
  db: Executor,
  dc: string,
  guids: readonly string[],
  observedAt: Date,
): Promise<void> {
  if (guids.length === 0) return;
  await db.query(
    `UPDATE user_observation SET observed_at = $3 WHERE dc = $1 AND guid = ANY($2::uuid[])`,
    [dc, guids, observedAt],
  );
}

/**
 * Users NES serves that a full pass of `dc` did not see (their view at `dc`
 * was not read since `passStart`) and that this DC is entitled to remove:
 * it had them in scope itself, or no DC of another site has them in scope
 * (a user only another site knows may simply not have replicated here yet).
 */
export async function missedByFullPass(
  db: Executor,
  dc: string,
  site: string,
  passStart: Date,
): Promise<string[]> {
  const { rows } = await db.query<{ guid: string }>(
    `SELECT u.guid FROM directory_user u
      WHERE u.removed IS NULL
        AND NOT EXISTS (SELECT 1 FROM user_observation o
                         WHERE o.guid = u.guid AND o.dc = $1 AND o.observed_at >= $3)
        AND (EXISTS (SELECT 1 FROM user_observation o
                      WHERE o.guid = u.guid AND o.dc = $1 AND o.presence = 'present')
             OR NOT EXISTS (SELECT 1 FROM user_observation o
                             WHERE o.guid = u.guid AND o.site <> $2 AND o.presence = 'present'))`,
    [dc, site, passStart],
  );
  return rows.map((r) => r.guid);
}
