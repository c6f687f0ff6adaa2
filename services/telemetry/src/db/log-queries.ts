import type { Executor } from '@nes/kit';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { LogCursor, LogFilter, TailPosition } from '../domain/log-filter.js';

/** A telemetry.log row as the API returns it. */
export interface LogEntry {
  readonly id: string;
  readonly eventId: string;
  readonly timestamp: string;
  readonly severity: string;
  readonly level: string;
  readonly message: string;
  readonly exception: string | null;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly source: string;
  readonly serviceName: string;
  readonly clientIp: string | null;
  readonly attributes: Record<string, unknown>;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

interface LogRecord {
  id: string;
  event_id: string;
  timestamp: Date;
  severity: string;
  level: string;
  message: string;
  exception: string | null;
  trace_id: string | null;
  span_id: string | null;
  source: string;
  service_name: string;
  client_ip: string | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  modified_at: Date;
  micros: string;
  txid: string;
}

const COLUMNS = `id::text AS id, event_id, "timestamp", severity, level, message, exception,
  trace_id, span_id, source, service_name, host(client_ip) AS client_ip, attributes,
  created_at, modified_at,
  ((extract(epoch FROM "timestamp") * 1000000)::bigint)::text AS micros, txid::text AS txid`;

/** The API shape of a row. */
export function toLogEntry(row: LogRecord): LogEntry {
  return {
    id: row.id,
    eventId: row.event_id,
    timestamp: row.timestamp.toISOString(),
    severity: row.severity,
    level: row.level,
    message: row.message,
    exception: row.exception,
    traceId: row.trace_id,
    spanId: row.span_id,
    source: row.source,
    serviceName: row.service_name,
    clientIp: row.client_ip,
    attributes: row.attributes,
    createdAt: row.created_at.toISOString(),
    modifiedAt: row.modified_at.toISOString(),
  };
}

/** WHERE clauses of a filter, with their parameters numbered from `values.length + 1`. */
function filterClauses(filter: LogFilter, values: unknown[]): string[] {
  const clauses: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.user !== undefined) clauses.push(`user_id = ${param(filter.user)}`);
  if (filter.authenticator !== undefined) {
    const p = param(filter.authenticator);
    clauses.push(`(authenticator_id = ${p} OR secondary_authenticator_id = ${p})`);
  }
  if (filter.client !== undefined) clauses.push(`client_id = ${param(filter.client)}`);
  if (filter.host !== undefined) clauses.push(`host_id = ${param(filter.host)}`);
  if (filter.eventType !== undefined) clauses.push(`event_type = ${param(filter.eventType)}`);
  if (filter.severity !== undefined) clauses.push(`severity = ${param(filter.severity)}`);
  if (filter.from !== undefined) clauses.push(`"timestamp" >= ${param(filter.from)}`);
  if (filter.to !== undefined) clauses.push(`"timestamp" < ${param(filter.to)}`);
  return clauses;
}

const EPOCH = `timestamptz 'epoch'`;

/** The SQL of a page of `filter`, newest first, after `cursor`. Exported for EXPLAIN. */
export function logPageQuery(
  filter: LogFilter,
  cursor: LogCursor | undefined,
  limit: number,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const clauses = filterClauses(filter, values);
  if (cursor !== undefined) {
    values.push(cursor.micros, cursor.id);
    const t = `$${values.length - 1}`;
    const i = `$${values.length}`;
    clauses.push(
      `("timestamp", id) < (${EPOCH} + ${t}::bigint * interval '1 microsecond', ${i}::bigint)`,
    );
  }
  values.push(limit);
  const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
  return {
    text: `SELECT ${COLUMNS} FROM log ${where} ORDER BY log."timestamp" DESC, log.id DESC LIMIT $${values.length}`,
    values,
  };
}

/** One page, newest first; `next` is the position after its last row when more may follow. */
export async function queryLogPage(
  executor: Executor,
  filter: LogFilter,
  cursor: LogCursor | undefined,
  limit: number,
): Promise<{ entries: LogEntry[]; next: LogCursor | undefined }> {
  const { text, values } = logPageQuery(filter, cursor, limit + 1);
  const { rows } = await executor.query<LogRecord>(text, values);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last ? { micros: last.micros, id: last.id } : undefined;
  return { entries: page.map(toLogEntry), next };
}

/**
 * Streams every row of `filter`, oldest first, from a server-side cursor
 * (pg-query-stream fetches `batchSize` rows at a time): memory stays flat
 * however many rows match. Runs in a read-only transaction on a connection of
 * its own, bounded by `timeoutMs`; the caller consumes the stream and then
 * calls `done` (with the error, if any).
 */
export async function streamLog(
  pool: pg.Pool,
  filter: LogFilter,
  options: { readonly timeoutMs: number; readonly limit?: number },
): Promise<{ rows: AsyncIterable<LogEntry>; done(error?: unknown): Promise<void> }> {
  const values: unknown[] = [];
  const clauses = filterClauses(filter, values);
  const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
  let limit = '';
  if (options.limit !== undefined) {
    values.push(options.limit);
    limit = `LIMIT $${values.length}`;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(options.timeoutMs)}`);
    // The export may wait on a slow reader longer than the pool's idle-in-transaction bound.
    await client.query(
      `SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(options.timeoutMs)}`,
    );
  } catch (error) {
    client.release(true);
    throw error;
  }
  const stream = client.query(
    new QueryStream(
      `SELECT ${COLUMNS} FROM log ${where} ORDER BY log."timestamp", log.id ${limit}`,
      values,
      { batchSize: 500 },
    ),
  );
  async function* rows(): AsyncIterable<LogEntry> {
    for await (const row of stream as AsyncIterable<LogRecord>) yield toLogEntry(row);
  }
  let finished = false;
  return {
    rows: rows(),
    async done(error) {
      if (finished) return;
      finished = true;
      if (error !== undefined) {
        stream.destroy();
        client.release(true);
        return;
      }
      try {
        await client.query('COMMIT');
        client.release();
      } catch {
        client.release(true);
      }
    },
  };
}

/** The tail's starting point for a stream without Last-Event-ID: everything from now on. */
export async function currentTailPosition(executor: Executor): Promise<TailPosition> {
  const { rows } = await executor.query<{ xmin: string }>(
    `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
  );
  return { txid: rows[0]?.xmin ?? '0', id: '0' };
}

/**
 * Rows of `filter` after `after` in (txid, id) order, only from transactions
 * older than every transaction running when the poll began (the horizon): a
 * row that commits later can never fall behind a position already handed
 * out, so a resumed tail misses nothing. `next` is where the following poll
 * starts — past every row examined, even when the filter matched none, so
 * an idle filtered tail does not re-read the same rows.
 */
export async function tailLog(
  executor: Executor,
  filter: LogFilter,
  after: TailPosition,
  limit: number,
): Promise<{ entries: (LogEntry & { position: TailPosition })[]; next: TailPosition }> {
  const horizon = await currentTailPosition(executor);
  const values: unknown[] = [after.txid, after.id, horizon.txid];
  const clauses = [
    `(txid, id) > ($1::text::xid8, $2::bigint)`,
    `txid < $3::text::xid8`,
    ...filterClauses(filter, values),
  ];
  values.push(limit);
  const { rows } = await executor.query<LogRecord>(
    `SELECT ${COLUMNS} FROM log WHERE ${clauses.join(' AND ')} ORDER BY log.txid, log.id LIMIT $${values.length}`,
    values,
  );
  const entries = rows.map((row) => ({
    ...toLogEntry(row),
    position: { txid: row.txid, id: row.id },
  }));
  const last = entries.at(-1)?.position;
  // A full page may have more behind it: continue after its last row.
  if (rows.length >= limit && last !== undefined) return { entries, next: last };
  const next = laterOf(last ?? after, horizon);
  return { entries, next };
}

function laterOf(a: TailPosition, b: TailPosition): TailPosition {
  const [ta, tb] = [BigInt(a.txid), BigInt(b.txid)];
  if (ta !== tb) return ta > tb ? a : b;
  return BigInt(a.id) >= BigInt(b.id) ? a : b;
}
