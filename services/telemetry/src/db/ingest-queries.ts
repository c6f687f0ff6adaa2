import type { Executor } from '@nes/kit';

/** A client event id accepted now, with the CloudEvents id it is published under. */
export interface Receipt {
  readonly clientEventId: string;
  readonly eventId: string;
}

/**
 * Records the client's event ids; returns those that were new (the others
 * were received before and must not be published again). One statement for
 * the batch; concurrent retries of one batch serialise on the primary key.
 */
export async function insertReceipts(
  tx: Executor,
  clientId: string,
  receipts: readonly Receipt[],
  receivedAt: Date,
): Promise<Set<string>> {
  const { rows } = await tx.query<{ client_event_id: string }>(
    `INSERT INTO ingest_receipt (client_id, client_event_id, event_id, received_at)
     SELECT $1, r.client_event_id, r.event_id, $4
       FROM unnest($2::text[], $3::uuid[]) AS r(client_event_id, event_id)
     ON CONFLICT (client_id, client_event_id) DO NOTHING
     RETURNING client_event_id`,
    [clientId, receipts.map((r) => r.clientEventId), receipts.map((r) => r.eventId), receivedAt],
  );
  return new Set(rows.map((r) => r.client_event_id));
}

/** The CloudEvents ids earlier requests published these client event ids under. */
export async function findReceipts(
  executor: Executor,
  clientId: string,
  clientEventIds: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await executor.query<{ client_event_id: string; event_id: string }>(
    `SELECT client_event_id, event_id FROM ingest_receipt
      WHERE client_id = $1 AND client_event_id = ANY($2::text[])`,
    [clientId, clientEventIds],
  );
  return new Map(rows.map((r) => [r.client_event_id, r.event_id]));
}

/** Receipts deleted per statement, so no prune holds its locks for long. */
const PRUNE_CHUNK = 10_000;

/**
 * Forgets receipts older than the retention, a chunk per statement, until
 * none is left or `budgetMs` has passed; returns how many.
 */
export async function pruneReceipts(
  executor: Executor,
  olderThan: Date,
  budgetMs = 20_000,
): Promise<number> {
  const started = Date.now();
  let total = 0;
  for (;;) {
    const result = await executor.query(
      `DELETE FROM ingest_receipt WHERE ctid IN (
         SELECT ctid FROM ingest_receipt WHERE received_at < $1 LIMIT ${PRUNE_CHUNK})`,
      [olderThan],
    );
    const removed = result.rowCount ?? 0;
    total += removed;
    if (removed < PRUNE_CHUNK || Date.now() - started > budgetMs) return total;
  }
}
