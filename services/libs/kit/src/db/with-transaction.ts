import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

/** SQL isolation levels. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of {@link withTransaction}. */
export interface TransactionOptions {
  /** Default: the server's (read committed). */
  readonly isolation?: IsolationLevel;
  readonly readOnly?: boolean;
  /**
   * How many times to run `fn` again after a serialization failure (40001)
   * or deadlock (40P01), which Postgres resolves by aborting one transaction.
   * Default 2.
   */
  readonly retries?: number;
  /** First retry delay; doubled each retry, with jitter. Default 20 ms. */
  readonly retryDelayMs?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

/** Whether a pg error is a serialization failure or deadlock, worth running the transaction again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `fn` in a transaction on one pooled client: BEGIN, `fn(client)`,
 * COMMIT, and ROLLBACK if anything throws. Returns what `fn` returns; the
 * client is always released (and discarded if ROLLBACK itself failed, since
 * its state is then unknown).
 *
 * `fn` may run more than once (see `retries`), so it must not do anything
 * but database work on `client` — which is the house rule anyway: no network
 * calls between BEGIN and COMMIT; events go through the outbox.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 2;
  const begin = beginStatement(options);
  for (let attempt = 0; ; attempt += 1) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = await rollback(client);
      if (attempt < retries && isRetryableTransactionError(error)) {
        const base = (options.retryDelayMs ?? 20) * 2 ** attempt;
        await sleep(base + Math.random() * base);
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

const ISOLATION_LEVELS: ReadonlySet<string> = new Set([
  'read committed',
  'repeatable read',
  'serializable',
]);

function beginStatement(options: TransactionOptions): string {
  const parts = ['BEGIN'];
  if (options.isolation !== undefined && !ISOLATION_LEVELS.has(options.isolation)) {
    throw new TypeError(`unknown isolation level '${String(options.isolation)}'`);
  }
  if (options.isolation) parts.push(`ISOLATION LEVEL ${options.isolation.toUpperCase()}`);
  if (options.readOnly) parts.push('READ ONLY');
  return parts.join(' ');
}

/** Rolls back; returns the error if that failed, so the client is destroyed rather than reused. */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error('ROLLBACK failed');
  }
}
