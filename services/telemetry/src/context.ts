import type { AccessTokenVerifier } from '@nes/auth';
import type { Logger } from '@nes/kit';
import type pg from 'pg';
import type { ClientDirectory } from './auth/client-directory.js';
import type { ApiConfig } from './config.js';
import type { IngestMetrics } from './metrics.js';

/** Where the time comes from. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * Everything the API process' operations need, built once by
 * `startTelemetryService` and passed down explicitly.
 */
export interface TelemetryContext {
  readonly config: ApiConfig;
  /** The service's pool (ingest, receipts, outbox). */
  readonly pool: pg.Pool;
  /** The analysts' pool: read-only transactions, possibly another role or a replica. */
  readonly queryPool: pg.Pool;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: IngestMetrics;
  readonly verifier: AccessTokenVerifier;
  readonly clients: ClientDirectory;
}
