import { quoteIdentifier, type Queryable } from '../db/queryable.js';

/** A partition lease held by a member: `generation` fences its position commits. */
export interface Lease {
  readonly topic: string;
  readonly partition: number;
  readonly generation: bigint;
  /** The group's position when the lease was taken: the next offset to deliver. */
  readonly nextOffset: bigint;
}

/** Identifies a lease-holder's claim: every write of a member carries it. */
export interface MemberClaim {
  readonly group: string;
  readonly memberId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
}

/** SQL for consumer groups of the Postgres bus: membership, leases, positions. All times are the database's. */
export class GroupStore {
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteIdentifier(schema);
  }

  /** Creates the group's position rows for the topics' partitions (new groups start at `fromBeginning` ? 0 : the end). */
  async register(db: Queryable, claim: MemberClaim, fromBeginning: boolean): Promise<void> {
    await db.query(
      `INSERT INTO ${this.s}.group_partition (group_id, topic, partition, next_offset)
       SELECT $1, topic, partition, CASE WHEN $3 THEN 0 ELSE next_offset END
         FROM ${this.s}.partition_head WHERE topic = ANY($2::text[])
       ON CONFLICT DO NOTHING`,
      [claim.group, claim.topics, fromBeginning],
    );
  }

  /** Joins or renews membership; removes members whose session expired. */
  async heartbeat(db: Queryable, claim: MemberClaim): Promise<string[]> {
    await db.query(
      `INSERT INTO ${this.s}.group_member (group_id, member_id, expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (group_id, member_id) DO UPDATE SET expires_at = excluded.expires_at`,
      [claim.group, claim.memberId, claim.sessionTimeoutMs],
    );
    await db.query(
      `DELETE FROM ${this.s}.group_member WHERE group_id = $1 AND expires_at < now()`,
      [claim.group],
    );
    const { rows } = await db.query<{ member_id: string }>(
      `SELECT member_id FROM ${this.s}.group_member WHERE group_id = $1 ORDER BY member_id`,
      [claim.group],
    );
    return rows.map((r) => r.member_id);
  }

  /**
   * Extends this member's leases; returns the leases it still holds. A lapsed
   * lease nobody took over is still ours (its generation did not change), so
   * a short database outage does not force a hand-over.
   */
  async renewLeases(db: Queryable, claim: MemberClaim): Promise<Lease[]> {
    const { rows } = await db.query<LeaseRow>(
      `UPDATE ${this.s}.group_partition
          SET lease_expires_at = now() + $3 * interval '1 millisecond'
        WHERE group_id = $1 AND member_id = $2 AND topic = ANY($4::text[])
       RETURNING topic, partition, generation, next_offset`,
      [claim.group, claim.memberId, claim.sessionTimeoutMs, claim.topics],
    );
    return rows.map(toLease);
  }

  /** Number of partitions the group shares over these topics. */
  async partitionCount(db: Queryable, claim: MemberClaim): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.s}.group_partition
        WHERE group_id = $1 AND topic = ANY($2::text[])`,
      [claim.group, claim.topics],
    );
    return rows[0]?.n ?? 0;
  }

  /** Leases up to `limit` partitions that are free or whose lease expired. */
  async acquire(db: Queryable, claim: MemberClaim, limit: number): Promise<Lease[]> {
    if (limit <= 0) return [];
    const { rows } = await db.query<LeaseRow>(
      `UPDATE ${this.s}.group_partition gp
          SET member_id = $2, generation = gp.generation + 1,
              lease_expires_at = now() + $3 * interval '1 millisecond'
         FROM (SELECT topic, partition FROM ${this.s}.group_partition
                WHERE group_id = $1 AND topic = ANY($4::text[])
                  AND (member_id IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())
                ORDER BY topic, partition LIMIT $5
                FOR UPDATE SKIP LOCKED) free
        WHERE gp.group_id = $1 AND gp.topic = free.topic AND gp.partition = free.partition
       RETURNING gp.topic, gp.partition, gp.generation, gp.next_offset`,
      [claim.group, claim.memberId, claim.sessionTimeoutMs, claim.topics, limit],
    );
    return rows.map(toLease);
  }

  /**
   * Moves the group's position, only while `lease` is still this member's:
   * returns false when the lease was lost (taken over after expiry).
   */
  async commit(
    db: Queryable,
    claim: MemberClaim,
    lease: Lease,
    nextOffset: bigint,
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE ${this.s}.group_partition SET next_offset = $5
        WHERE group_id = $1 AND topic = $2 AND partition = $3 AND member_id = $4 AND generation = $6`,
      [
        claim.group,
        lease.topic,
        lease.partition,
        claim.memberId,
        nextOffset.toString(),
        lease.generation.toString(),
      ],
    );
    return rowCount === 1;
  }

  /** Gives a lease up so another member can take it at once. */
  async release(db: Queryable, claim: MemberClaim, lease: Lease): Promise<void> {
    await db.query(
      `UPDATE ${this.s}.group_partition SET member_id = NULL, lease_expires_at = NULL
        WHERE group_id = $1 AND topic = $2 AND partition = $3 AND member_id = $4 AND generation = $5`,
      [claim.group, lease.topic, lease.partition, claim.memberId, lease.generation.toString()],
    );
  }

  async leave(db: Queryable, claim: MemberClaim): Promise<void> {
    await db.query(`DELETE FROM ${this.s}.group_member WHERE group_id = $1 AND member_id = $2`, [
      claim.group,
      claim.memberId,
    ]);
  }
}

interface LeaseRow {
  topic: string;
  partition: number;
  generation: string;
  next_offset: string;
}

function toLease(row: LeaseRow): Lease {
  return {
    topic: row.topic,
    partition: row.partition,
    generation: BigInt(row.generation),
    nextOffset: BigInt(row.next_offset),
  };
}
