import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nes/kit';
import type pg from 'pg';
import type { DirectoryAdapter } from '../directory-adapter.js';
import type { DirectoryMetrics } from '../metrics.js';
import type { ApplyContext } from './apply-changes.js';
import { runStateClock } from './state-clock.js';
import { syncSite, type SiteSyncResult } from './sync-site.js';

/** Options of {@link SyncScheduler}. */
export interface SyncSchedulerOptions {
  readonly directory: DirectoryAdapter;
  readonly apply: ApplyContext;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly metrics: DirectoryMetrics;
  readonly intervalMs: number;
  readonly fullIntervalMs: number;
}

/** What happened to one site in a round. */
export type SiteOutcome =
  | (SiteSyncResult & { readonly status: 'synced' })
  | { readonly site: string; readonly status: 'skipped' }
  | { readonly site: string; readonly status: 'failed'; readonly error: string };

/**
 * Runs every site's sync in its own loop (a slow or unreachable site never
 * delays another), plus the state clock. Across replicas, one sync per site
 * runs at a time: each round takes a Postgres advisory lock for the site and
 * skips when another replica holds it. Within a process, rounds of a site
 * never overlap.
 */
export class SyncScheduler {
  private readonly options: SyncSchedulerOptions;
  private readonly logger: Logger;
  private readonly running = new Map<string, Promise<SiteOutcome>>();
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(options: SyncSchedulerOptions) {
    this.options = options;
    this.logger = options.logger.child({ subsystem: 'sync' });
  }

  /** Starts the loops; the first round of every site begins at once. */
  start(): void {
    if (this.loops.length > 0) return;
    const sites = this.options.directory.sites.map((s) => s.name);
    this.loops = [
      ...sites.map((site) => this.loop(() => this.syncSite(site).then(() => undefined))),
      this.loop(() => this.runClock()),
    ];
  }

  /** One round of every site (waiting for rounds in progress), then the state clock. */
  async runOnce(): Promise<SiteOutcome[]> {
    const outcomes = await Promise.all(
      this.options.directory.sites.map((s) => this.syncSite(s.name)),
    );
    await this.runClock();
    return outcomes;
  }

  /** Stops the loops after their current round. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.running.values()]);
  }

  /** Syncs one site, after any round of it already running in this process. */
  syncSite(site: string): Promise<SiteOutcome> {
    const previous = this.running.get(site) ?? Promise.resolve(undefined);
    const next = previous.then(() => this.round(site));
    this.running.set(site, next);
    void next.finally(() => {
      if (this.running.get(site) === next) this.running.delete(site);
    });
    return next;
  }

  /** One round of a site; never rejects (a failure is an outcome, logged and counted). */
  private async round(site: string): Promise<SiteOutcome> {
    let lock: pg.PoolClient | undefined;
    let locked = false;
    try {
      lock = await this.options.pool.connect();
      const { rows } = await lock.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended('nes-directory-sync:' || $1::text, 0)) AS ok`,
        [site],
      );
      locked = rows[0]?.ok === true;
      if (!locked) return { site, status: 'skipped' };
      const result = await syncSite(site, {
        directory: this.options.directory,
        apply: this.options.apply,
        logger: this.logger.child({ site }),
        fullIntervalMs: this.options.fullIntervalMs,
      });
      this.options.metrics.syncFinished(
        site,
        result.kind,
        result.durationMs / 1000,
        result.changed,
      );
      return { ...result, status: 'synced' };
    } catch (error) {
      this.options.metrics.syncFailed(site);
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn({ site, err: error }, 'site sync failed; retrying next round');
      return { site, status: 'failed', error: reason };
    } finally {
      if (lock && locked) {
        await lock
          .query(
            `SELECT pg_advisory_unlock(hashtextextended('nes-directory-sync:' || $1::text, 0))`,
            [site],
          )
          .catch(() => undefined);
      }
      lock?.release();
    }
  }

  private async runClock(): Promise<void> {
    try {
      const changed = await runStateClock(this.options.apply);
      if (changed > 0) this.logger.debug({ changed }, 'time-driven state checks done');
    } catch (error) {
      this.logger.warn({ err: error }, 'state clock failed; retrying next round');
    }
  }

  private async loop(round: () => Promise<void>): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      await round();
      await sleep(this.options.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }
}
