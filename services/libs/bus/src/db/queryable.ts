/**
 * The slice of node-postgres the bus needs. A `pg.Pool`, `pg.PoolClient` or
 * `pg.Client` satisfies `Queryable`; a `pg.Pool` satisfies `ConnectionPool`.
 * Keeping these local means the bus works with any executor a service passes
 * (its pool, or the client of its open transaction).
 */
export interface QueryResultLike<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

/** Something SQL can be run on: a pool, or one connection (possibly inside a transaction). */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResultLike<R>>;
}

/** A checked-out connection that must be released. */
export interface PooledConnection extends Queryable {
  release(error?: Error | boolean): void;
  /** node-postgres emits connection failures here while the connection is checked out. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A pool from which a dedicated connection (for a transaction) can be taken. */
export interface ConnectionPool extends Queryable {
  connect(): Promise<PooledConnection>;
}

/**
 * Runs `work` in a transaction on a connection of its own. On failure the
 * transaction is rolled back; a connection whose rollback also failed is
 * destroyed rather than returned to the pool in an unknown state.
 */
export async function inTransaction<T>(
  pool: ConnectionPool,
  work: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const connection = await pool.connect();
  let broken: Error | undefined;
  // A checked-out pg client has no 'error' listener of the pool's: a session
  // killed between two statements would otherwise crash the process. The
  // failure still surfaces, as the next statement's rejection.
  const onError = (error: Error): void => {
    broken = error;
  };
  connection.on?.('error', onError);
  try {
    await connection.query('BEGIN');
    const result = await work(connection);
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await connection.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    connection.off?.('error', onError);
    connection.release(broken);
  }
}

/** Quotes an SQL identifier (schema or table name coming from configuration). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
