import { nesPayload, type CloudEvent, type Queryable } from '@nes/bus';
import { toAuditRow } from '../domain/audit-rows.js';
import { toLogRow, type LogRow } from '../domain/log-row.js';
import {
  claimEvents,
  insertAuditClientRow,
  insertAuditCrtRow,
  insertLogRows,
} from '../db/projection-queries.js';

/** What one projected batch wrote. */
export interface ProjectionResult {
  /** telemetry.log rows. */
  readonly logRows: number;
  /** audit.client and audit.initial_access_token rows. */
  readonly auditRows: number;
  /** Events this group had projected before (redeliveries): nothing written. */
  readonly duplicates: number;
  /** Audited events of types nothing is projected from yet (taps, credentials, …). */
  readonly skipped: number;
  /** When the oldest projected event was recorded by NES (for the lag metric). */
  readonly oldestRecordedAt: Date | undefined;
}

/** Options of {@link projectEvents}. */
export interface ProjectOptions {
  /**
   * The ids were claimed already (by `idempotentHandler`, on the per-event
   * path of the Postgres bus): project every event given.
   */
  readonly claimed?: boolean;
}

/**
 * Projects events of nes.audit.v1 inside the caller's transaction: claims
 * their ids for `group` in `processed_event`, then writes a row for each new
 * one — `telemetry.log` (one multi-row INSERT) for device telemetry,
 * `audit.client` / `audit.initial_access_token` for registration events.
 * Payloads are parsed here; a payload the catalog accepted but the mapping
 * cannot read throws, which fails (and retries) the batch.
 */
export async function projectEvents(
  tx: Queryable,
  group: string,
  events: readonly CloudEvent[],
  options: ProjectOptions = {},
): Promise<ProjectionResult> {
  const ids = events.map((e) => e.id);
  const fresh = options.claimed === true ? new Set(ids) : await claimEvents(tx, group, ids);
  const logRows: LogRow[] = [];
  let auditRows = 0;
  let skipped = 0;
  let oldest = Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  for (const event of events) {
    // A batch may hold one event twice (a republished duplicate): project it once.
    if (!fresh.has(event.id) || seen.has(event.id)) continue;
    seen.add(event.id);
    const telemetry = nesPayload(event, 'nes.audit.telemetry.v1');
    if (telemetry !== undefined) {
      const row = toLogRow(event, telemetry);
      oldest = Math.min(oldest, row.timestamp.getTime());
      logRows.push(row);
      continue;
    }
    const audit = toAuditRow(event);
    if (audit !== undefined) oldest = Math.min(oldest, audit.row.eventTime.getTime());
    if (audit === undefined) {
      skipped += 1;
    } else if (audit.table === 'client') {
      await insertAuditClientRow(tx, audit.row);
      auditRows += 1;
    } else {
      await insertAuditCrtRow(tx, audit.row);
      auditRows += 1;
    }
  }
  await insertLogRows(tx, logRows);
  return {
    logRows: logRows.length,
    auditRows,
    duplicates: events.length - seen.size,
    skipped,
    oldestRecordedAt: Number.isFinite(oldest) ? new Date(oldest) : undefined,
  };
}
