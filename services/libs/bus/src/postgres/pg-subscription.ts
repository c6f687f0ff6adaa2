import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';

import { backoffDelay } from '../backoff.js';
import type { DeliveryPipeline } from '../consumer/deliver-record.js';
import type { ConnectionPool } from '../db/queryable.js';
import type { SubscribeOptions, Subscription } from '../event-bus.js';
import { sleep } from '../sleep.js';
import type { GroupStore, Lease, MemberClaim } from './pg-group-store.js';
import type { LogStore } from './pg-log-store.js';
import { PartitionWorker, type WorkerContext } from './pg-partition-worker.js';
import type { ResolvedPostgresBusOptions } from './pg-bus-options.js';
import { targetShare } from './partitioning.js';

/**
 * A member of a consumer group on the Postgres bus. Every heartbeat it
 * renews its membership and leases, computes its share of the group's
 * partitions from the live member list, releases partitions above its share
 * (after draining them) and leases free or expired ones below it. A member
 * that dies stops renewing; its partitions become free when the session
 * timeout passes, and the others take them over, resuming at the last
 * committed position.
 */
export class PostgresSubscription implements Subscription {
  private readonly claim: MemberClaim;
  private readonly workers = new Map<string, PartitionWorker>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private lastHeartbeat = Date.now();
  private readonly logger: Logger;
  private readonly pool: ConnectionPool;
  private readonly groups: GroupStore;
  private readonly log: LogStore;
  private readonly options: ResolvedPostgresBusOptions;
  private readonly pipeline: DeliveryPipeline;
  private readonly fromBeginning: boolean;

  constructor(
    deps: { pool: ConnectionPool; groups: GroupStore; log: LogStore; logger: Logger },
    subscribe: SubscribeOptions,
    options: ResolvedPostgresBusOptions,
    deadLetter: DeliveryPipeline['deadLetter'],
  ) {
    this.pool = deps.pool;
    this.groups = deps.groups;
    this.log = deps.log;
    this.options = options;
    this.fromBeginning = subscribe.fromBeginning ?? true;
    this.claim = {
      group: subscribe.group,
      memberId: uuidv7(),
      topics: [...new Set(subscribe.topics)],
      sessionTimeoutMs: options.sessionTimeoutMs,
    };
    this.logger = deps.logger.child({ group: subscribe.group, member: this.claim.memberId });
    this.pipeline = {
      group: subscribe.group,
      handler: subscribe.handler,
      retry: subscribe.retry ?? options.retry,
      catalog: subscribe.catalog,
      maxEventBytes: options.maxEventBytes,
      logger: this.logger,
      deadLetter,
    };
  }

  /** Registers the group's partitions, joins, and starts the heartbeat loop. */
  async start(): Promise<void> {
    for (const topic of this.claim.topics) await this.log.ensureTopic(topic);
    await this.groups.register(this.pool, this.claim, this.fromBeginning);
    await this.rebalance();
    this.loop = this.run();
  }

  /** New records on `topic` (NOTIFY). */
  wake(topic: string): void {
    for (const worker of this.workers.values()) if (worker.lease.topic === topic) worker.wake();
  }

  /** Wakes every worker (after a listener reconnect: notifications may have been missed). */
  wakeAll(): void {
    for (const worker of this.workers.values()) worker.wake();
  }

  /** Why this member is unhealthy, if it is (readiness). */
  failure(): string | undefined {
    const silentMs = Date.now() - this.lastHeartbeat;
    return silentMs > this.options.sessionTimeoutMs ? `no heartbeat for ${silentMs} ms` : undefined;
  }

  async close(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    await this.loop;
    await Promise.all([...this.workers.values()].map((w) => this.releaseWorker(w)));
    await this.groups.leave(this.pool, this.claim).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'leaving the group failed; the session will expire');
    });
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let failures = 0;
    while (!signal.aborted) {
      // Back off while the database is away, but never past half a session:
      // a member must be able to renew its leases soon after it returns.
      const retryMs = Math.min(
        backoffDelay(this.options.outageBackoff, failures),
        this.options.sessionTimeoutMs / 2,
      );
      await sleep(failures === 0 ? this.options.heartbeatIntervalMs : retryMs, signal);
      if (signal.aborted) break;
      try {
        await this.rebalance();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.warn({ err: error, failures }, 'group heartbeat failed');
        // Leases we cannot renew will be taken over: stop delivering before that happens.
        if (Date.now() - this.lastHeartbeat > this.options.sessionTimeoutMs)
          await this.stopAllWorkers();
      }
    }
  }

  /** One heartbeat: renew, drop lost partitions, then move towards the fair share. */
  private async rebalance(): Promise<void> {
    const members = await this.groups.heartbeat(this.pool, this.claim);
    const held = await this.groups.renewLeases(this.pool, this.claim);
    this.lastHeartbeat = Date.now();
    const current = new Set(held.map((l) => leaseKey(l)));
    for (const [key, worker] of this.workers) {
      // Gone, re-generationed, or self-stopped after a refused commit: retire the worker.
      if (!current.has(`${key}@${worker.lease.generation}`) || worker.stopped()) {
        this.workers.delete(key);
        await worker.stop();
      }
    }
    // Leases still ours without a worker (workers stopped during an outage): resume them.
    for (const lease of held) if (!this.workers.has(partitionKey(lease))) this.startWorker(lease);
    const total = await this.groups.partitionCount(this.pool, this.claim);
    const target = targetShare(total, members, this.claim.memberId);
    const running = [...this.workers.values()];
    if (running.length > target) {
      // Release the surplus so members below their share can take it.
      const surplus = running.sort(byPartition).slice(target);
      await Promise.all(surplus.map((w) => this.releaseWorker(w)));
    } else if (running.length < target) {
      const acquired = await this.groups.acquire(this.pool, this.claim, target - running.length);
      for (const lease of acquired) this.startWorker(lease);
    }
  }

  private startWorker(lease: Lease): void {
    const context: WorkerContext = {
      db: this.pool,
      log: this.log,
      groups: this.groups,
      claim: this.claim,
      pipeline: this.pipeline,
      batchSize: this.options.batchSize,
      pollIntervalMs: this.options.pollIntervalMs,
      commitIntervalMs: this.options.commitIntervalMs,
      outageBackoff: this.options.outageBackoff,
      logger: this.logger,
    };
    this.workers.set(partitionKey(lease), new PartitionWorker(lease, context));
    this.logger.debug({ topic: lease.topic, partition: lease.partition }, 'partition assigned');
  }

  private async releaseWorker(worker: PartitionWorker): Promise<void> {
    this.workers.delete(partitionKey(worker.lease));
    await worker.stop();
    await this.groups.release(this.pool, this.claim, worker.lease).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'releasing a partition failed; its lease will expire');
    });
  }

  private async stopAllWorkers(): Promise<void> {
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

function partitionKey(lease: Pick<Lease, 'topic' | 'partition'>): string {
  return `${lease.topic}#${lease.partition}`;
}

function leaseKey(lease: Lease): string {
  return `${partitionKey(lease)}@${lease.generation}`;
}

function byPartition(a: PartitionWorker, b: PartitionWorker): number {
  return partitionKey(a.lease).localeCompare(partitionKey(b.lease));
}
