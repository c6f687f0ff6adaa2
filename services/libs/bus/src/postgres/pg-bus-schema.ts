import { fileURLToPath } from 'node:url';

import { runMigrations } from '@nes/kit';
import type pg from 'pg';
import type { Logger } from 'pino';

/** The bus schema's SQL migrations, applied by the bus itself at start. */
export const PG_BUS_MIGRATIONS_DIR = fileURLToPath(
  new URL('../../pg-bus-migrations/', import.meta.url),
);

/**
 * Brings the bus schema up to date with the runner every service uses. The
 * bus owns this schema (possibly in a database of its own), so it migrates
 * it itself rather than relying on a service; every bus process does this
 * at start and the runner's lock makes concurrent starts safe.
 */
export async function migrateBusSchema(
  pool: pg.Pool,
  schema: string,
  logger: Logger,
): Promise<void> {
  await runMigrations({ pool, schema, dirs: [PG_BUS_MIGRATIONS_DIR], logger });
}
