import type pg from 'pg';
import type { Logger } from 'pino';

import { backoffDelay, DEFAULT_OUTAGE_BACKOFF, type BackoffPolicy } from '../backoff.js';
import type { EventBus } from '../event-bus.js';
import { sleep } from '../sleep.js';
import { Waker } from '../waker.js';
import { RelayStore, type OutboxRow } from './relay-store.js';

/** Observations the relay reports; wire them to Prometheus gauges and histograms. */
export interface RelayMetrics {
  /**
   * Unpublished outbox rows: exact after a batch that emptied the outbox,
   * else a capped count taken at most every `backlogSampleMs`.
   */
  backlog?(size: number): void;
  /** A batch was published: its size, how long publishing took, and the oldest row's age. */
  published?(count: number, durationMs: number, maxLagMs: number): void;
  /** A publish attempt failed (broker down); rows stay in the outbox. */
  failed?(count: number): void;
}

/** Configuration of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /** The service's pool; the relay holds one of its connections while active. */
  readonly pool: pg.Pool;
  /** The service schema holding `outbox` (the relay qualifies every name). */
  readonly schema: string;
  readonly bus: Pick<EventBus, 'publishEncoded'>;
  readonly logger: Logger;
  /** Rows per publish call. Default 200. */
  readonly batchSize?: number;
  /** Longest sleep between checks when no NOTIFY arrives; also how often a standby tries to take over. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Backoff while the broker (or the database) fails. */
  readonly backoff?: BackoffPolicy;
  /**
   * Published rows are deleted after this long. Default 24 h; 0 deletes each
   * batch as soon as the bus has accepted it instead of marking it published
   * (half the writes per event, for high-volume outboxes; published rows are
   * then no longer there to look at).
   */
  readonly retentionMs?: number;
  /** `processed_event` ids are deleted after this long; null keeps them. Default 7 days. */
  readonly processedEventRetentionMs?: number | null;
  /** How often the active relay prunes. Default 60 s. */
  readonly pruneIntervalMs?: number;
  /**
   * Least time between two counts of a backlog (a count scans up to 100,000
   * index entries; after every batch of a busy relay it would cost more than
   * the publishing). Default 5 s.
   */
  readonly backlogSampleMs?: number;
  readonly metrics?: RelayMetrics;
}

/** What `/readyz` and operators may want to know about a relay. */
export interface RelayStatus {
  /** This replica holds the schema's relay lock and is publishing. */
  readonly active: boolean;
  readonly running: boolean;
  /** The last publish or database error (message only), cleared by the next success. */
  readonly lastError: string | undefined;
}

/** Error thrown by the bus while publishing: the rows stay, the session stays. */
class PublishFailure extends Error {}

/**
 * Publishes outbox rows to the bus, at least once, in `seq` order.
 *
 * Ordering across replicas and restarts: exactly one relay per schema is
 * active at a time — the one holding a session-level advisory lock on a
 * dedicated connection. Only it reads the outbox, in `seq` order, one batch at
 * a time, and a batch is marked published only after the bus accepted all of
 * it; so per-key order holds, and a crash repeats a batch (duplicates, which
 * idempotent consumers drop) but never reorders one. Other replicas are
 * standbys that retry the lock every poll interval; Postgres releases it when
 * the holder's session ends, so a dead relay is replaced within about one
 * interval (plus TCP keepalive time if its host vanished).
 */
export class OutboxRelay {
  private readonly store: RelayStore;
  private readonly waker = new Waker();
  private readonly abort = new AbortController();
  private session: pg.PoolClient | undefined;
  private loop: Promise<void> | undefined;
  private lastError: string | undefined;
  private lastPrune = 0;
  private lastBacklogCount = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  private readonly options: OutboxRelayOptions;
  private readonly logger: Logger;

  constructor(options: OutboxRelayOptions) {
    this.options = options;
    this.logger = options.logger.child({ subsystem: 'outbox-relay', schema: options.schema });
    this.store = new RelayStore(options.schema);
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    if (!(this.batchSize >= 1)) throw new RangeError('batchSize must be ≥ 1');
    if (!(this.pollIntervalMs > 0)) throw new RangeError('pollIntervalMs must be > 0');
  }

  /** Starts the relay loop (returns at once). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in flight, releases the lock and stops. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.dropSession();
  }

  /** Whether this replica is running and holds the lock, and its last error (for `/readyz` and logs). */
  status(): RelayStatus {
    return {
      active: this.session !== undefined,
      running: this.loop !== undefined && !this.abort.signal.aborted,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const session = this.session ?? (await this.acquire());
        if (session === undefined) {
          await sleep(this.pollIntervalMs, signal);
          continue;
        }
        const published = await this.relayBatch(session);
        await this.maybePrune(session);
        failures = 0;
        this.lastError = undefined;
        if (published < this.batchSize) await this.waker.wait(this.pollIntervalMs, signal);
      } catch (error) {
        failures += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
        // A publish failure leaves the database session (and the lock) intact.
        if (!(error instanceof PublishFailure)) this.dropSession();
        this.logger.warn({ err: error, failures }, 'outbox relay cycle failed; backing off');
        await sleep(backoffDelay(this.options.backoff ?? DEFAULT_OUTAGE_BACKOFF, failures), signal);
      }
    }
  }

  /** Takes a connection and the lock; returns undefined (connection released) if another replica is active. */
  private async acquire(): Promise<pg.PoolClient | undefined> {
    const client = await this.options.pool.connect();
    // A checked-out pg client has no 'error' listener: without ours a dropped
    // connection would be an uncaught exception. It stays attached after release.
    client.on('error', this.onSessionError);
    try {
      if (!(await this.store.tryLock(client))) {
        client.off('error', this.onSessionError);
        client.release();
        return undefined;
      }
      await this.store.prepare(client);
      await this.store.listen(client);
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.on('notification', this.onNotification);
    this.session = client;
    this.logger.info('outbox relay active');
    return client;
  }

  private readonly onSessionError = (error: Error): void => {
    this.logger.warn({ err: error }, 'outbox relay database session failed');
    this.waker.notify();
  };

  private readonly onNotification = (message: pg.Notification): void => {
    if (message.channel === this.store.channel) this.waker.notify();
  };

  private async relayBatch(session: pg.PoolClient): Promise<number> {
    const rows = await this.store.nextBatch(session, this.batchSize);
    const metrics = this.options.metrics;
    if (metrics?.backlog !== undefined) {
      if (rows.length < this.batchSize) metrics.backlog(rows.length);
      else if (Date.now() - this.lastBacklogCount >= (this.options.backlogSampleMs ?? 5_000)) {
        this.lastBacklogCount = Date.now();
        metrics.backlog(await this.store.backlog(session));
      }
    }
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    const started = Date.now();
    try {
      await this.options.bus.publishEncoded(rows);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.store.markFailed(session, ids, message);
      metrics?.failed?.(rows.length);
      throw new PublishFailure(`publishing ${rows.length} outbox events failed: ${message}`, {
        cause: error,
      });
    }
    if (this.options.retentionMs === 0) await this.store.deletePublished(session, ids);
    else await this.store.markPublished(session, ids);
    metrics?.published?.(rows.length, Date.now() - started, maxLag(rows, started));
    return rows.length;
  }

  private async maybePrune(session: pg.PoolClient): Promise<void> {
    const interval = this.options.pruneIntervalMs ?? 60_000;
    if (Date.now() - this.lastPrune < interval) return;
    this.lastPrune = Date.now();
    const removed = await this.store.prune(
      session,
      this.options.retentionMs ?? 24 * 3600_000,
      this.options.processedEventRetentionMs === undefined
        ? 7 * 24 * 3600_000
        : this.options.processedEventRetentionMs,
    );
    if (removed > 0) this.logger.debug({ removed }, 'outbox pruned');
  }

  /**
   * Closes the active session. Always destroyed, never pooled: a LISTENing,
   * lock-holding session returned to the pool would leak both; closing it
   * frees the lock server-side for the next relay.
   */
  private dropSession(): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    session.off('notification', this.onNotification);
    session.release(true);
  }
}

function maxLag(rows: readonly OutboxRow[], now: number): number {
  return rows.reduce((lag, row) => Math.max(lag, now - row.createdAt.getTime()), 0);
}
