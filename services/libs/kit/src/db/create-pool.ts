import pg from 'pg';
import type { ReadinessCheck } from '../lifecycle/readiness.js';
import type { Logger } from '../log/create-logger.js';

/** What queries run on: the pool, or a client inside a transaction. Query functions take it explicitly. */
export type Executor = pg.Pool | pg.PoolClient;

/** Options of {@link createPool}. */
export interface CreatePoolOptions {
  /** postgres:// URL (from `databaseSection()`); never logged. */
  readonly url: string;
  /** Maximum connections. Default 10. */
  readonly poolSize?: number;
  /** Server-side bound on every statement; 0 = none. Default 30 s. */
  readonly statementTimeoutMs?: number;
  /** Shown in pg_stat_activity, e.g. `nes-registration`. */
  readonly applicationName: string;
  /** The service's schema, put first on search_path so unqualified names resolve there. */
  readonly schema?: string;
  readonly logger: Logger;
  /** How long to wait for a connection before failing. Default 5 s (pg's default waits forever). */
  readonly connectionTimeoutMs?: number;
  /** Sessions idle inside a transaction longer than this are ended by the server. Default 60 s. */
  readonly idleInTransactionTimeoutMs?: number;
  /**
   * Every transaction of the pool read-only (`default_transaction_read_only`,
   * set when the session starts, so no statement can run before it applies).
   */
  readonly readOnly?: boolean;
}

/** Postgres identifiers we create and put on search_path: lower-case, unquoted-safe. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A pg Pool with NES' settings: statement and idle-in-transaction timeouts,
 * a bounded connection wait, TCP keep-alive, the application name, the
 * service's schema on search_path, and an error listener, because an idle
 * client that loses its connection emits 'error' on the pool and an
 * unhandled 'error' would crash the process.
 */
export function createPool(options: CreatePoolOptions): pg.Pool {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new TypeError(`invalid schema name '${options.schema}'`);
  }
  const logger = options.logger.child({ subsystem: 'db' });
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    // A server that vanished without a word (its node died, a failover moved
    // its address) is noticed within ~20 s (libuv probes every second after
    // 10 s idle, 10 times), not after the kernel's ~2 h default: until then a
    // pooled connection to it would take a query and hang.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...sessionOptions(options),
  });
  pool.on('error', (error) => {
    // Expected whenever the server restarts or fails over; requests see it as 503s.
    logger.warn({ err: error }, 'idle postgres connection failed; the pool will replace it');
  });
  return pool;
}

/** Server settings applied at session start (libpq's `options`). */
function sessionOptions(options: CreatePoolOptions): { options?: string } {
  const settings: string[] = [];
  if (options.schema !== undefined) settings.push(`-c search_path=${options.schema}`);
  if (options.readOnly === true) settings.push('-c default_transaction_read_only=on');
  return settings.length === 0 ? {} : { options: settings.join(' ') };
}

/** Readiness check: the pool can hand out a connection and the server answers `SELECT 1`. */
export function postgresReadinessCheck(pool: pg.Pool): ReadinessCheck {
  return async () => {
    await pool.query('SELECT 1');
  };
}
