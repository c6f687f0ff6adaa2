import type { RelayMetrics } from '@nes/bus';
import type { Metrics } from '@nes/kit';
import type { PasswordCheck } from './domain/bind-outcome.js';

/** directory-sync's Prometheus metrics (on the service registry, with the `service` label). */
export interface DirectoryMetrics {
  /** A ValidatePassword outcome (`unavailable` when no DC could be asked). */
  passwordCheck(result: PasswordCheck | 'unavailable' | 'outcome_unknown'): void;
  /** A bind as a user reached a DC and got this answer. */
  bind(site: string, result: PasswordCheck): void;
  syncFinished(site: string, kind: 'full' | 'incremental', seconds: number, changed: number): void;
  syncFailed(site: string): void;
  dcHealth(site: string, dc: string, up: boolean): void;
  eventsEnqueued(types: readonly string[]): void;
  /** The outbox relay's observations. */
  readonly relay: RelayMetrics;
}

/** Registers the metrics on `metrics`' registry. */
export function createDirectoryMetrics(metrics: Metrics): DirectoryMetrics {
  const checks = metrics.counter({
    name: 'nes_directory_password_checks_total',
    help: 'ValidatePassword outcomes by result',
    labelNames: ['result'],
  });
  const binds = metrics.counter({
    name: 'nes_directory_binds_total',
    help: 'Binds as a user sent to a domain controller, by site and result',
    labelNames: ['site', 'result'],
  });
  const syncDuration = metrics.histogram({
    name: 'nes_directory_sync_duration_seconds',
    help: 'Duration of a site sync by kind (full, incremental)',
    labelNames: ['site', 'kind'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  });
  const changedUsers = metrics.counter({
    name: 'nes_directory_sync_changed_users_total',
    help: 'Users whose merged record a sync changed',
    labelNames: ['site'],
  });
  const syncFailures = metrics.counter({
    name: 'nes_directory_sync_failures_total',
    help: 'Site syncs that failed (no DC reachable, LDAP or database error)',
    labelNames: ['site'],
  });
  const dcUp = metrics.gauge({
    name: 'nes_directory_dc_up',
    help: '1 when the domain controller answered its last health check',
    labelNames: ['site', 'dc'],
  });
  const events = metrics.counter({
    name: 'nes_directory_events_total',
    help: 'Events written to the outbox, by type',
    labelNames: ['type'],
  });
  const backlog = metrics.gauge({
    name: 'nes_directory_outbox_backlog',
    help: 'Outbox rows not yet published (as last seen by the active relay)',
  });
  const published = metrics.counter({
    name: 'nes_directory_outbox_published_total',
    help: 'Outbox rows published to the bus',
  });
  const publishFailures = metrics.counter({
    name: 'nes_directory_outbox_publish_failures_total',
    help: 'Outbox publish attempts that failed (rows stay in the outbox)',
  });
  return {
    relay: {
      backlog: (size) => backlog.set(size),
      published: (count) => published.inc(count),
      failed: () => publishFailures.inc(),
    },
    passwordCheck: (result) => checks.inc({ result }),
    bind: (site, result) => binds.inc({ site, result }),
    syncFinished(site, kind, seconds, changed) {
      syncDuration.observe({ site, kind }, seconds);
      if (changed > 0) changedUsers.inc({ site }, changed);
    },
    syncFailed: (site) => syncFailures.inc({ site }),
    dcHealth: (site, dc, up) => dcUp.set({ site, dc }, up ? 1 : 0),
    eventsEnqueued(types) {
      for (const type of types) events.inc({ type });
    },
  };
}
