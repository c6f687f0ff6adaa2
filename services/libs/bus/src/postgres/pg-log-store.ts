import {
  inTransaction,
  quoteIdentifier,
  type ConnectionPool,
  type Queryable,
} from '../db/queryable.js';
import { partitionForKey } from './partitioning.js';

/** A record to append: the transport key and the encoded value. */
export interface AppendRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly contentType: string;
}

/** A record read back from a partition. */
export interface StoredRecord {
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: Buffer;
}

/**
 * The log half of the Postgres bus: topics, appends and reads. Group
 * positions and leases live in {@link GroupStore}.
 */
export class LogStore {
  readonly channel: string;
  private readonly s: string;
  private readonly partitionCounts = new Map<string, number>();
  private readonly pool: ConnectionPool;
  private readonly defaultPartitions: number;

  constructor(pool: ConnectionPool, schema: string, defaultPartitions: number) {
    this.pool = pool;
    this.s = quoteIdentifier(schema);
    this.defaultPartitions = defaultPartitions;
    // One NOTIFY channel per bus schema; the payload is the topic.
    this.channel = `nes_bus_${schema}`.slice(0, 63);
  }

  /**
   * Creates the topic (with the bus' default partition count) unless it exists,
   * and returns its partition count. The count of an existing topic wins, as
   * with Kafka: placement must not change under a running system.
   */
  async ensureTopic(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    await this.pool.query(
      `WITH created AS (
         INSERT INTO ${this.s}.topic (name, partitions) VALUES ($1, $2)
         ON CONFLICT (name) DO NOTHING RETURNING name, partitions)
       INSERT INTO ${this.s}.partition_head (topic, partition)
       SELECT name, generate_series(0, partitions - 1) FROM created
       ON CONFLICT DO NOTHING`,
      [topic, this.defaultPartitions],
    );
    const { rows } = await this.pool.query<{ partitions: number }>(
      `SELECT partitions FROM ${this.s}.topic WHERE name = $1`,
      [topic],
    );
    const count = rows[0]?.partitions;
    if (count === undefined) throw new Error(`topic ${topic} vanished while being created`);
    this.partitionCounts.set(topic, count);
    return count;
  }

  /**
   * Appends records in one transaction. Head rows are locked in (topic,
   * partition) order, so concurrent appends cannot deadlock, and each
   * partition's records keep the order they have in `records`.
   */
  async append(records: readonly AppendRecord[]): Promise<void> {
    if (records.length === 0) return;
    const slots = new Map<string, { topic: string; partition: number; records: AppendRecord[] }>();
    for (const record of records) {
      const partition = partitionForKey(record.key, await this.ensureTopic(record.topic));
      const id = `${record.topic}\u0000${String(partition).padStart(5, '0')}`;
      let slot = slots.get(id);
      if (slot === undefined) {
        slot = { topic: record.topic, partition, records: [] };
        slots.set(id, slot);
      }
      slot.records.push(record);
    }
    const ordered = [...slots.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await inTransaction(this.pool, async (tx) => {
      for (const [, slot] of ordered) await this.appendToPartition(tx, slot);
      for (const topic of new Set(records.map((r) => r.topic))) {
        await tx.query('SELECT pg_notify($1, $2)', [this.channel, topic]);
      }
    });
  }

  /** Reads up to `limit` records of a partition from `fromOffset` on. */
  async read(
    db: Queryable,
    topic: string,
    partition: number,
    fromOffset: bigint,
    limit: number,
  ): Promise<StoredRecord[]> {
    const { rows } = await db.query<{ log_offset: string; key: string | null; value: Buffer }>(
      `SELECT log_offset, key, value FROM ${this.s}.record
        WHERE topic = $1 AND partition = $2 AND log_offset >= $3
        ORDER BY log_offset LIMIT $4`,
      [topic, partition, fromOffset.toString(), limit],
    );
    return rows.map((r) => ({ offset: BigInt(r.log_offset), key: r.key, value: r.value }));
  }

  /** Deletes records older than the retention, a chunk at a time. */
  async prune(retentionMs: number, chunk = 10_000): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.s}.record WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM ${this.s}.record
          WHERE appended_at < now() - $1 * interval '1 millisecond' LIMIT $2))`,
      [retentionMs, chunk],
    );
    return rowCount ?? 0;
  }

  private async appendToPartition(
    tx: Queryable,
    slot: { topic: string; partition: number; records: AppendRecord[] },
  ): Promise<void> {
    const count = slot.records.length;
    const { rows } = await tx.query<{ first: string }>(
      `UPDATE ${this.s}.partition_head SET next_offset = next_offset + $3
        WHERE topic = $1 AND partition = $2 RETURNING next_offset - $3 AS first`,
      [slot.topic, slot.partition, count],
    );
    const first = rows[0]?.first;
    if (first === undefined)
      throw new Error(`partition ${slot.topic}/${slot.partition} is missing`);
    await tx.query(
      `INSERT INTO ${this.s}.record (topic, partition, log_offset, key, value, content_type)
       SELECT $1, $2, $3::bigint + ord - 1, key, value, content_type
         FROM unnest($4::text[], $5::bytea[], $6::text[]) WITH ORDINALITY AS r(key, value, content_type, ord)`,
      [
        slot.topic,
        slot.partition,
        first,
        slot.records.map((r) => r.key),
        slot.records.map((r) => r.value),
        slot.records.map((r) => r.contentType),
      ],
    );
  }
}
