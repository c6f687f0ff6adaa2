import { outboxRelayMetrics, type RelayMetrics } from '@nes/bus';
import type { Metrics } from '@nes/kit';

/** The API process' business metrics. */
export interface IngestMetrics {
  /** Events of a batch, by outcome: accepted, duplicate, rejected. */
  events(outcome: 'accepted' | 'duplicate' | 'rejected', count: number): void;
  /** Batches refused, by error code. */
  refused(code: string): void;
  /** Registration events republished on nes.audit.v1. */
  republished(type: string): void;
  /** Open live-tail streams. */
  streams(delta: number): void;
  /** Exports, by format. */
  exported(format: string, rows: number): void;
  /** What the outbox relay reports (its backlog sampled by the relay itself). */
  readonly relay: RelayMetrics;
}

/** Registers the API process' metrics. */
export function createIngestMetrics(metrics: Metrics): IngestMetrics {
  const events = metrics.counter({
    name: 'nes_telemetry_ingested_events_total',
    help: 'Device telemetry events by outcome (accepted = durable in the outbox)',
    labelNames: ['outcome'],
  });
  const refused = metrics.counter({
    name: 'nes_telemetry_ingest_refused_batches_total',
    help: 'Ingest batches refused, by error code',
    labelNames: ['code'],
  });
  const republished = metrics.counter({
    name: 'nes_telemetry_republished_events_total',
    help: 'Server-side audit events republished on nes.audit.v1, by type',
    labelNames: ['type'],
  });
  const streams = metrics.gauge({
    name: 'nes_telemetry_live_streams',
    help: 'Open live-tail (SSE) streams',
  });
  const exported = metrics.counter({
    name: 'nes_telemetry_exported_rows_total',
    help: 'Rows streamed by exports, by format',
    labelNames: ['format'],
  });
  const relay = outboxRelayMetrics(metrics, {
    prefix: 'nes_telemetry',
    destination: 'nes.audit.v1',
  });
  return {
    events: (outcome, count) => events.inc({ outcome }, count),
    refused: (code) => refused.inc({ code }),
    republished: (type) => republished.inc({ type }),
    streams: (delta) => streams.inc(delta),
    exported: (format, rows) => exported.inc({ format }, rows),
    relay,
  };
}

/** The projector process' metrics. */
export interface ProjectorMetrics {
  projected(table: 'log' | 'audit', count: number): void;
  duplicates(count: number): void;
  skipped(count: number): void;
  /** Seconds between NES recording the oldest event of a batch and its commit. */
  lag(seconds: number): void;
  deadLettered(count: number, kind: string): void;
}

/** Registers the projector's metrics. */
export function createProjectorMetrics(metrics: Metrics): ProjectorMetrics {
  const projected = metrics.counter({
    name: 'nes_telemetry_projected_rows_total',
    help: 'Rows written by the projection, by table kind (log, audit)',
    labelNames: ['table'],
  });
  const duplicates = metrics.counter({
    name: 'nes_telemetry_projection_duplicates_total',
    help: 'Redelivered events the projection had applied already (nothing written)',
  });
  const skipped = metrics.counter({
    name: 'nes_telemetry_projection_skipped_total',
    help: 'Audited events of types with no projection yet',
  });
  const lagSeconds = metrics.gauge({
    name: 'nes_telemetry_projection_lag_seconds',
    help: 'Age of the oldest event of the last projected batch when it committed',
  });
  const lagHistogram = metrics.histogram({
    name: 'nes_telemetry_projection_lag_distribution_seconds',
    help: 'Age of the oldest event of each projected batch when it committed',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  });
  const deadLettered = metrics.counter({
    name: 'nes_telemetry_dead_lettered_total',
    help: 'Events the projection sent to nes.audit.v1.dlq, by reason kind',
    labelNames: ['reason'],
  });
  return {
    projected: (table, count) => projected.inc({ table }, count),
    duplicates: (count) => duplicates.inc(count),
    skipped: (count) => skipped.inc(count),
    lag: (seconds) => {
      lagSeconds.set(seconds);
      lagHistogram.observe(seconds);
    },
    deadLettered: (count, kind) => deadLettered.inc({ reason: kind }, count),
  };
}
