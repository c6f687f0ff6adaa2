import { quoteIdentifier, type Queryable } from '../db/queryable.js';

/** An unpublished outbox row, as the relay reads it: the envelope as stored, not parsed. */
export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  /** The CloudEvents JSON text exactly as `enqueue` validated and stored it; published as is. */
  readonly value: string;
  readonly createdAt: Date;
}

/** Rows deleted per statement when pruning, so no prune holds locks for long. */
const PRUNE_CHUNK = 5000;

/**
 * The relay's read: the oldest unpublished rows of `outbox` (a qualified
 * name), in `seq` order, from the partial index on unpublished rows.
 */
export function nextBatchQuery(outbox: string): string {
  return `SELECT id, topic, key, event AS value, created_at FROM ${outbox}
        WHERE published_at IS NULL ORDER BY seq LIMIT $1`;
}

/** SQL of the relay against one service schema (all names schema-qualified). */
export class RelayStore {
  private readonly outbox: string;
  private readonly processed: string;
  /** The NOTIFY channel the outbox trigger uses for this schema. */
  readonly channel: string;

  readonly schema: string;

  constructor(schema: string) {
    this.schema = schema;
    const quoted = quoteIdentifier(schema);
    this.outbox = `${quoted}.outbox`;
    this.processed = `${quoted}.processed_event`;
    this.channel = `nes_outbox_${schema}`.slice(0, 63);
  }

  /**
   * Takes the schema's relay lock on this session if free. A session lock is
   * released by Postgres when the session ends, however the holder dies, which
   * is what makes takeover by another replica safe.
   */
  async tryLock(session: Queryable): Promise<boolean> {
    const { rows } = await session.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext('nes.outbox.relay'), hashtext($1)) AS locked`,
      [this.schema],
    );
    return rows[0]?.locked === true;
  }

  async listen(session: Queryable): Promise<void> {
    await session.query(`LISTEN ${quoteIdentifier(this.channel)}`);
  }

  /**
   * Settings of the relay's own session. `enable_sort = off` keeps the batch
   * read on the partial index, in seq order, however stale the statistics:
   * an outbox vacuumed while it was empty (its normal state) is estimated
   * at a few rows; when a backlog then builds up in the freed pages, the
   * planner would rather fetch every unpublished row and sort them all for
   * each batch (measured at a backlog of 10,000: 26 ms instead of 6 ms per
   * batch of 500, and the sort reads the whole backlog each time). None of
   * the relay's statements needs a sort; were one to, Postgres would still
   * sort rather than fail.
   */
  async prepare(session: Queryable): Promise<void> {
    await session.query('SET enable_sort = off');
  }

  /** The oldest unpublished rows, in the order they must be published. */
  async nextBatch(session: Queryable, limit: number): Promise<OutboxRow[]> {
    const { rows } = await session.query<{
      id: string;
      topic: string;
      key: string;
      value: string;
      created_at: Date;
    }>(nextBatchQuery(this.outbox), [limit]);
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      key: r.key,
      value: r.value,
      createdAt: r.created_at,
    }));
  }

  async markPublished(session: Queryable, ids: readonly string[]): Promise<void> {
    await session.query(
      `UPDATE ${this.outbox} SET published_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** Deletes published rows at once: the cheapest write for a high-volume outbox. */
  async deletePublished(session: Queryable, ids: readonly string[]): Promise<void> {
    await session.query(`DELETE FROM ${this.outbox} WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async markFailed(session: Queryable, ids: readonly string[], error: string): Promise<void> {
    await session.query(
      `UPDATE ${this.outbox} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::uuid[])`,
      [ids, error.slice(0, 1000)],
    );
  }

  /** Unpublished rows, counted up to `cap` (a metric, not worth a full scan of a huge backlog). */
  async backlog(session: Queryable, cap = 100_000): Promise<number> {
    const { rows } = await session.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${this.outbox} WHERE published_at IS NULL LIMIT $1) b`,
      [cap],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes published outbox rows and processed-event ids older than their retention. */
  async prune(
    session: Queryable,
    outboxRetentionMs: number,
    processedRetentionMs: number | null,
  ): Promise<number> {
    const outbox = await session.query(
      `DELETE FROM ${this.outbox} WHERE id IN (
         SELECT id FROM ${this.outbox}
          WHERE published_at < now() - $1 * interval '1 millisecond' LIMIT ${PRUNE_CHUNK})`,
      [outboxRetentionMs],
    );
    if (processedRetentionMs === null) return outbox.rowCount ?? 0;
    const processed = await session.query(
      `DELETE FROM ${this.processed} WHERE (consumer_group, event_id) IN (
         SELECT consumer_group, event_id FROM ${this.processed}
          WHERE processed_at < now() - $1 * interval '1 millisecond' LIMIT ${PRUNE_CHUNK})`,
      [processedRetentionMs],
    );
    return (outbox.rowCount ?? 0) + (processed.rowCount ?? 0);
  }
}
