import type { Metrics } from '@nes/kit';
import type { RelayMetrics } from './outbox-relay.js';

/** Options of {@link outboxRelayMetrics}. */
export interface OutboxRelayMetricsOptions {
  /** The service's metric prefix, e.g. `nes_registration` → `nes_registration_outbox_backlog`. */
  readonly prefix: string;
  /** Where the relay publishes, as the help text names it. Default `the bus`. */
  readonly destination?: string;
}

/** Buckets (seconds) of the outbox lag: 10 ms … 1 min. */
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The relay's observations as Prometheus metrics on the service's registry:
 * `<prefix>_outbox_backlog` (gauge), `<prefix>_outbox_published_total`,
 * `<prefix>_outbox_publish_failures_total` (events, not attempts) and
 * `<prefix>_outbox_lag_seconds` (the oldest event of each published batch).
 * Pass the result as `OutboxRelay`'s `metrics`; leave `backlog` out of it to
 * sample the backlog elsewhere (the gauge is the same).
 */
export function outboxRelayMetrics(
  metrics: Metrics,
  options: OutboxRelayMetricsOptions,
): Required<RelayMetrics> {
  const { prefix } = options;
  const backlog = metrics.gauge({
    name: `${prefix}_outbox_backlog`,
    help: 'Unpublished outbox events (reported by the active relay)',
  });
  const published = metrics.counter({
    name: `${prefix}_outbox_published_total`,
    help: `Outbox events published to ${options.destination ?? 'the bus'}`,
  });
  const publishFailed = metrics.counter({
    name: `${prefix}_outbox_publish_failures_total`,
    help: 'Outbox events whose publication failed (retried)',
  });
  const lag = metrics.histogram({
    name: `${prefix}_outbox_lag_seconds`,
    help: 'Age of the oldest event of each published outbox batch',
    buckets: LAG_BUCKETS,
  });
  return {
    backlog: (size) => backlog.set(size),
    published: (count, _durationMs, maxLagMs) => {
      published.inc(count);
      lag.observe(maxLagMs / 1000);
    },
    failed: (count) => publishFailed.inc(count),
  };
}
