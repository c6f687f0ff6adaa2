import { fileURLToPath } from 'node:url';
import { createKafkaBus, createPostgresBus, OUTBOX_MIGRATIONS_DIR, type EventBus } from '@nes/bus';
import { createPool, runMigrations, type Lifecycle, type Logger } from '@nes/kit';
import type pg from 'pg';
import type { TelemetryConfig } from './config.js';

/** The Postgres schema of the telemetry log, the receipts and the outbox (plus `audit`). */
export const SCHEMA = 'telemetry';

/**
 * The service's own migrations (applied with @nes/bus' outbox tables). The
 * SQL files stay in src/db/migrations (tsc copies no .sql); the path is the
 * same seen from src/ and from dist/.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../src/db/migrations', import.meta.url));

/**
 * The service's pool, after migrating its schemas (both processes migrate at
 * start; an advisory lock makes the second wait and find nothing to do).
 * Registered with the lifecycle so it closes last.
 */
export async function openDatabase(
  config: TelemetryConfig,
  logger: Logger,
  lifecycle: Lifecycle,
  applicationName: string,
): Promise<pg.Pool> {
  const pool = createPool({ ...config.database, applicationName, schema: SCHEMA, logger });
  lifecycle.onStop('postgres', () => pool.end());
  await runMigrations({
    pool,
    schema: SCHEMA,
    dirs: [MIGRATIONS_DIR, OUTBOX_MIGRATIONS_DIR],
    logger,
  });
  return pool;
}

/** The configured event bus (Kafka, or the Postgres bus in the service's database). */
export function createBus(
  config: TelemetryConfig,
  logger: Logger,
  clientId: string,
): Promise<EventBus> {
  if (config.bus.kind === 'kafka') {
    return Promise.resolve(
      createKafkaBus({
        brokers: config.bus.brokers,
        clientId,
        logger,
        consumer: {
          sessionTimeoutMs: config.consumer.sessionTimeoutMs,
          heartbeatIntervalMs: config.consumer.heartbeatIntervalMs,
          maxWaitTimeMs: config.consumer.maxWaitMs,
        },
      }),
    );
  }
  return createPostgresBus({ connectionString: config.database.url, logger });
}
