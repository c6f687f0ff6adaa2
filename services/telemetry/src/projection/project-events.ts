import type { Queryable } from '@nes/bus';
import { payloadOf, type AuditEvent } from '../domain/audit-event.js';
import { toAuditRow } from '../domain/audit-rows.js';
import { toLogRow, type LogRow } from '../domain/log-row.js';
import {
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

/**
 * Projects events of nes.audit.v1 inside the caller's transaction: a
 * `telemetry.log` row (one multi-row INSERT for the batch) for device
 * telemetry, an `audit.client` / `audit.initial_access_token` row for
 * registration events. Every table is unique on the event id and skips a row
 * it holds already, so a redelivered event — after a crash between commit and
 * offset commit, or republished twice — changes nothing, without a separate
 * processed-ids table to write for each event. Payloads come read (by
 * `readAuditEvent`); one the mapping cannot take throws, which fails (and
 * retries) the batch.
 */
export async function projectEvents(
  tx: Queryable,
  events: readonly AuditEvent[],
): Promise<ProjectionResult> {
  const logRows: LogRow[] = [];
  let auditRows = 0;
  let skipped = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const received of events) {
    const telemetry = payloadOf(received, 'nes.audit.telemetry.v1');
    if (telemetry !== undefined) {
      const row = toLogRow(received.event, telemetry);
      oldest = Math.min(oldest, row.timestamp.getTime());
      logRows.push(row);
      continue;
    }
    const audit = toAuditRow(received);
    if (audit === undefined) {
      skipped += 1;
      continue;
    }
    oldest = Math.min(oldest, audit.row.eventTime.getTime());
    const inserted =
      audit.table === 'client'
        ? await insertAuditClientRow(tx, audit.row)
        : await insertAuditCrtRow(tx, audit.row);
    if (inserted) auditRows += 1;
  }
  const logInserted = await insertLogRows(tx, logRows);
  return {
    logRows: logInserted,
    auditRows,
    duplicates: events.length - skipped - logInserted - auditRows,
    skipped,
    oldestRecordedAt: Number.isFinite(oldest) ? new Date(oldest) : undefined,
  };
}
