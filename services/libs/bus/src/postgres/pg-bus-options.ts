import type { Logger } from 'pino';

import {
  checkBackoffPolicy,
  DEFAULT_HANDLER_BACKOFF,
  DEFAULT_OUTAGE_BACKOFF,
  type BackoffPolicy,
} from '../backoff.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../envelope/cloud-event.js';
import type { RetryPolicy } from '../event-bus.js';

/** Configuration of the Postgres-backed event bus. */
export interface PostgresBusOptions {
  /** The bus database (may be the service's own database, or one of its own). */
  readonly connectionString: string;
  readonly logger: Logger;
  /** Schema the bus owns and migrates. Default `nes_bus`. */
  readonly schema?: string;
  /** Partitions of topics this bus creates. Default 8. */
  readonly partitions?: number;
  /** Connections in the bus' pool (one more is held for LISTEN). Default 10. */
  readonly poolSize?: number;
  readonly connectionTimeoutMs?: number;
  /** Longest a worker sleeps when no NOTIFY arrives. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Membership and leases expire after this without a heartbeat. Default 10 000. */
  readonly sessionTimeoutMs?: number;
  /** Default 2000; must be well below the session timeout. */
  readonly heartbeatIntervalMs?: number;
  /** Records read per fetch. Default 100. */
  readonly batchSize?: number;
  /** Position commits at least this often within a batch. Default 1000. */
  readonly commitIntervalMs?: number;
  /** Handler retry policy when a subscription sets none. */
  readonly retry?: RetryPolicy;
  /** Backoff while the bus database is unreachable. */
  readonly outageBackoff?: BackoffPolicy;
  readonly maxEventBytes?: number;
  /** Records are deleted after this long, consumed or not (as Kafka retention). Default 7 days. */
  readonly retentionMs?: number;
}

/** {@link PostgresBusOptions} with defaults applied. */
export type ResolvedPostgresBusOptions = Required<PostgresBusOptions>;

/** Applies defaults; rejects settings that cannot work, naming the field. */
export function resolvePostgresBusOptions(options: PostgresBusOptions): ResolvedPostgresBusOptions {
  const resolved: ResolvedPostgresBusOptions = {
    schema: 'nes_bus',
    partitions: 8,
    poolSize: 10,
    connectionTimeoutMs: 5000,
    pollIntervalMs: 1000,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 2000,
    batchSize: 100,
    commitIntervalMs: 1000,
    retry: { maxAttempts: 5, backoff: DEFAULT_HANDLER_BACKOFF },
    outageBackoff: DEFAULT_OUTAGE_BACKOFF,
    maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
    retentionMs: 7 * 24 * 3600_000,
    ...withoutUndefined(options),
    connectionString: options.connectionString,
    logger: options.logger,
  };
  const positive: (keyof ResolvedPostgresBusOptions)[] = [
    'partitions',
    'poolSize',
    'pollIntervalMs',
    'sessionTimeoutMs',
    'heartbeatIntervalMs',
    'batchSize',
    'retentionMs',
  ];
  for (const field of positive) {
    const value = resolved[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new RangeError(`postgres bus: ${field} must be a positive integer`);
    }
  }
  if (resolved.partitions > 1024) throw new RangeError('postgres bus: partitions must be ≤ 1024');
  if (resolved.heartbeatIntervalMs * 2 > resolved.sessionTimeoutMs) {
    throw new RangeError(
      'postgres bus: heartbeatIntervalMs must be at most half of sessionTimeoutMs',
    );
  }
  if (!(resolved.retry.maxAttempts >= 1))
    throw new RangeError('postgres bus: retry.maxAttempts must be ≥ 1');
  checkBackoffPolicy(resolved.retry.backoff, 'postgres bus: retry.backoff');
  checkBackoffPolicy(resolved.outageBackoff, 'postgres bus: outageBackoff');
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(resolved.schema)) {
    throw new RangeError(
      'postgres bus: schema must be a lower-case identifier of at most 48 characters',
    );
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
