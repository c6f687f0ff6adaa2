import type { Logger } from 'pino';

import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { deliverRecord, type DeliveryPipeline } from '../consumer/deliver-record.js';
import type { Queryable } from '../db/queryable.js';
import { Waker } from '../waker.js';
import type { GroupStore, Lease, MemberClaim } from './pg-group-store.js';
import type { LogStore } from './pg-log-store.js';

/** What a partition worker needs from its member. */
export interface WorkerContext {
  readonly db: Queryable;
  readonly log: LogStore;
  readonly groups: GroupStore;
  readonly claim: MemberClaim;
  readonly pipeline: DeliveryPipeline;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly commitIntervalMs: number;
  readonly outageBackoff: BackoffPolicy;
  readonly logger: Logger;
}

/**
 * Delivers one leased partition in offset order. The position is committed
 * (fenced by the lease generation) after each batch, every
 * `commitIntervalMs` within a long batch, and when the worker stops; a
 * commit refused because the lease moved on ends the worker.
 */
export class PartitionWorker {
  readonly lease: Lease;
  private readonly waker = new Waker();
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  private position: bigint;
  private committed: bigint;
  private readonly ctx: WorkerContext;

  constructor(lease: Lease, ctx: WorkerContext) {
    this.lease = lease;
    this.ctx = ctx;
    this.position = lease.nextOffset;
    this.committed = lease.nextOffset;
    this.done = this.run();
  }

  /** New records may exist (a NOTIFY for this topic). */
  wake(): void {
    this.waker.notify();
  }

  /** Lets the handler in flight finish, commits the position and ends. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /** Whether the loop has ended by itself (lease lost). */
  stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const delivered = await this.deliverBatch(signal);
        failures = 0;
        if (delivered < this.ctx.batchSize) await this.waker.wait(this.ctx.pollIntervalMs, signal);
      } catch (error) {
        failures += 1;
        this.ctx.logger.warn(
          { err: error, topic: this.lease.topic, partition: this.lease.partition, failures },
          'partition delivery failed; backing off',
        );
        // The waker, not a plain sleep: the listener reconnecting (database
        // back) or new records end the back-off early.
        await this.waker.wait(backoffDelay(this.ctx.outageBackoff, failures), signal);
      }
    }
    await this.commit().catch((error: unknown) => {
      this.ctx.logger.warn({ err: error, topic: this.lease.topic }, 'final position commit failed');
    });
  }

  private async deliverBatch(signal: AbortSignal): Promise<number> {
    const { topic, partition } = this.lease;
    const records = await this.ctx.log.read(
      this.ctx.db,
      topic,
      partition,
      this.position,
      this.ctx.batchSize,
    );
    let lastCommit = Date.now();
    let delivered = 0;
    for (const record of records) {
      const outcome = await deliverRecord(
        {
          topic,
          partition,
          offset: record.offset.toString(),
          key: record.key,
          value: record.value,
        },
        this.ctx.pipeline,
        signal,
      );
      if (outcome === 'aborted') break;
      this.position = record.offset + 1n;
      delivered += 1;
      if (Date.now() - lastCommit >= this.ctx.commitIntervalMs) {
        await this.commit();
        lastCommit = Date.now();
      }
    }
    await this.commit();
    return delivered;
  }

  private async commit(): Promise<void> {
    if (this.position === this.committed) return;
    const kept = await this.ctx.groups.commit(
      this.ctx.db,
      this.ctx.claim,
      this.lease,
      this.position,
    );
    if (!kept) {
      this.ctx.logger.info(
        { topic: this.lease.topic, partition: this.lease.partition },
        'partition lease lost; stopping its worker',
      );
      this.abort.abort();
      this.committed = this.position;
      return;
    }
    this.committed = this.position;
  }
}
