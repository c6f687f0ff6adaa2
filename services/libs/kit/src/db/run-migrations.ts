import { createHash } from 'node:crypto';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from '../log/create-logger.js';
import { SCHEMA_NAME } from './create-pool.js';
import { checkFolderOrder, escapeGlob, readMigrationFolders } from './migration-files.js';

/** Options of {@link runMigrations}; give `pool` or `url`. */
export interface RunMigrationsOptions {
  readonly pool?: pg.Pool;
  readonly url?: string;
  /** The service's schema: created if missing, holds the tables and the `pgmigrations` table. */
  readonly schema: string;
  /** Folders of `YYYYMMDDHHmmss_name.sql` files: the service's own and its libraries' (e.g. @nes/bus). */
  readonly dirs: readonly string[];
  readonly logger: Logger;
  /** How long to wait for another replica's run (and for table locks). Default 60 s. */
  readonly lockTimeoutMs?: number;
  /** Bound on each migration statement. Default 10 min. */
  readonly statementTimeoutMs?: number;
}

const MIGRATIONS_TABLE = 'pgmigrations';

/**
 * Applies pending migrations with node-pg-migrate's programmatic runner, in
 * one transaction, inside the service's schema (search_path = that schema, so
 * unqualified names land there). Returns the names it applied.
 *
 * Several folders: node-pg-migrate 9 accepts several `dir`s only as glob
 * patterns (`useGlob`), so each folder becomes an escaped `<dir>/*.sql`
 * pattern; files of all folders then apply in timestamp order. Names must be
 * unique across folders. Its global order check is replaced by a per-folder
 * one (see `checkFolderOrder`).
 *
 * Concurrency: a session advisory lock keyed by the schema name serialises
 * replicas starting at once (the second waits, then finds nothing to do);
 * runs for different schemas don't block each other. The lock is taken here
 * rather than by node-pg-migrate so the order check happens under it.
 *
 * SQL files run inside the transaction: statements that refuse one (CREATE
 * INDEX CONCURRENTLY) are not supported.
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<string[]> {
  const { schema } = options;
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`invalid schema name '${schema}'`);
  if ((options.pool === undefined) === (options.url === undefined)) {
    throw new TypeError('runMigrations needs either pool or url');
  }
  const logger = options.logger.child({ subsystem: 'migrations', schema });
  const folders = await readMigrationFolders(options.dirs);
  const { client, done } = await connect(options);
  try {
    // lock_timeout bounds the advisory lock wait below and any table lock a migration waits for.
    await client.query(`SET lock_timeout = ${Math.trunc(options.lockTimeoutMs ?? 60_000)}`);
    await client.query(
      `SET statement_timeout = ${Math.trunc(options.statementTimeoutMs ?? 600_000)}`,
    );
    await lock(client, schema, options.lockTimeoutMs ?? 60_000);
    checkFolderOrder(folders, await appliedNames(client, schema));
    const applied = await runner({
      dbClient: client,
      dir: folders.map((f) => `${escapeGlob(f.dir)}/*.sql`),
      useGlob: true,
      schema,
      createSchema: true,
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      checkOrder: false,
      singleTransaction: true,
      noLock: true,
      logger: {
        // node-pg-migrate narrates every step at info; that is our debug.
        debug: () => undefined,
        info: (message: string) => logger.debug(message),
        warn: (message: string) => logger.warn(message),
        error: (message: string) => logger.error(message),
      },
    });
    const names = applied.map((m) => m.name);
    logger.info({ applied: names }, names.length > 0 ? 'migrations applied' : 'schema up to date');
    return names;
  } finally {
    await done();
  }
}

/** Waits for the schema's migration lock; a timeout says who is holding it up. */
async function lock(client: pg.ClientBase, schema: string, timeoutMs: number): Promise<void> {
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lockKey(schema)]);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '55P03') throw error;
    throw new Error(
      `another run of the migrations of schema '${schema}' still holds the lock after ${timeoutMs} ms`,
      { cause: error },
    );
  }
}

/** A 64-bit advisory lock key derived from the schema name. */
function lockKey(schema: string): string {
  return createHash('sha256')
    .update(`nes-migrations:${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

async function appliedNames(client: pg.ClientBase, schema: string): Promise<Set<string>> {
  const table = `"${schema}".${MIGRATIONS_TABLE}`;
  const { rows } = await client.query<{ exists: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS exists',
    [table],
  );
  if (!rows[0]?.exists) return new Set();
  const result = await client.query<{ name: string }>(`SELECT name FROM ${table}`);
  return new Set(result.rows.map((r) => r.name));
}

/**
 * One session for the whole run. A pooled client is destroyed afterwards
 * rather than returned, because the run changed its search_path and timeouts;
 * ending the session also releases the advisory lock in every case.
 */
async function connect(
  options: RunMigrationsOptions,
): Promise<{ client: pg.ClientBase; done: () => Promise<void> }> {
  if (options.pool) {
    const client = await options.pool.connect();
    return { client, done: () => Promise.resolve(client.release(true)) };
  }
  const client = new pg.Client({
    connectionString: options.url,
    application_name: 'nes-migrations',
  });
  client.on('error', () => undefined); // a dropped connection surfaces as the failing query's error
  await client.connect();
  return { client, done: () => client.end().catch(() => undefined) };
}
