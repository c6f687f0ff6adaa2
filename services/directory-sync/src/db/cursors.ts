import type { Executor } from '@nes/kit';
import type { StatePolicy } from '../domain/account-state.js';

/** Where incremental sync resumes for one DC. */
export interface SyncCursor {
  readonly dc: string;
  readonly site: string;
  readonly invocationId: string;
  readonly highestUsn: bigint;
  readonly fullSyncAt: Date;
}

/** The cursor of `dc`, if any. */
export async function loadCursor(db: Executor, dc: string): Promise<SyncCursor | undefined> {
  const { rows } = await db.query<{
    dc: string;
    site: string;
    invocation_id: string;
    highest_usn: string;
    full_sync_at: Date;
  }>(`SELECT dc, site, invocation_id, highest_usn, full_sync_at FROM sync_cursor WHERE dc = $1`, [
    dc,
  ]);
  const row = rows[0];
  return row
    ? {
        dc: row.dc,
        site: row.site,
        invocationId: row.invocation_id,
        highestUsn: BigInt(row.highest_usn),
        fullSyncAt: row.full_sync_at,
      }
    : undefined;
}

/** Saves `dc`'s cursor after a successful sync. */
export async function saveCursor(db: Executor, cursor: SyncCursor): Promise<void> {
  await db.query(
    `INSERT INTO sync_cursor (dc, site, invocation_id, highest_usn, full_sync_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (dc) DO UPDATE SET site = EXCLUDED.site, invocation_id = EXCLUDED.invocation_id,
       highest_usn = EXCLUDED.highest_usn, full_sync_at = EXCLUDED.full_sync_at, updated_at = now()`,
    [cursor.dc, cursor.site, cursor.invocationId, cursor.highestUsn.toString(), cursor.fullSyncAt],
  );
}

/** Saves the domain's lockout policy as a sync read it. */
export async function savePolicy(db: Executor, domain: string, policy: StatePolicy): Promise<void> {
  const known = policy.lockoutDurationMs !== undefined;
  await db.query(
    `INSERT INTO domain_policy (domain, lockout_duration_ms, lockout_duration_known, updated_at)
     VALUES ($1, $2, $3, now())
     ON CONFLICT (domain) DO UPDATE SET lockout_duration_ms = EXCLUDED.lockout_duration_ms,
       lockout_duration_known = EXCLUDED.lockout_duration_known, updated_at = now()`,
    [domain, policy.lockoutDurationMs ?? null, known],
  );
}

/** The domain's lockout policy (unknown until a sync read it). */
export async function loadPolicy(db: Executor, domain: string): Promise<StatePolicy> {
  const { rows } = await db.query<{
    lockout_duration_ms: string | null;
    lockout_duration_known: boolean;
  }>(`SELECT lockout_duration_ms, lockout_duration_known FROM domain_policy WHERE domain = $1`, [
    domain,
  ]);
  const row = rows[0];
  if (!row?.lockout_duration_known) return { lockoutDurationMs: undefined };
  return {
    lockoutDurationMs: row.lockout_duration_ms === null ? null : Number(row.lockout_duration_ms),
  };
}
