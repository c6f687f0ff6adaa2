import { runMigrations } from '@nes/kit';
import { createTestDatabase } from '@nes/testing';
import pg from 'pg';

import { OUTBOX_MIGRATIONS_DIR } from '../../src/index.js';
import { quietLogger } from './test-bus.js';

/** A producing/consuming service's database: schema `svc` with the outbox tables and a projection. */
export interface ServiceDb {
  readonly url: string;
  readonly schema: string;
  /** Pool whose sessions resolve unqualified names in `svc` (as a service's own pool would). */
  readonly pool: pg.Pool;
  /** Rows of the test projection, in insertion order. */
  projection(): Promise<{ event_id: string; key: string; seq: number; member: string }[]>;
  close(): Promise<void>;
}

export const SERVICE_SCHEMA = 'svc';

/**
 * Creates a database for one test file and applies the bus' outbox
 * migrations into schema `svc` with the runner services use. `projection` deliberately has no unique key: a
 * duplicate effect shows up as an extra row.
 */
export async function createServiceDb(): Promise<ServiceDb> {
  const db = await createTestDatabase('bus_svc');
  // The service's path exactly: kit's runner applies the bus' outbox folder
  // into the service schema (unqualified names, search_path set).
  await runMigrations({
    url: db.url,
    schema: SERVICE_SCHEMA,
    dirs: [OUTBOX_MIGRATIONS_DIR],
    logger: quietLogger,
  });
  const setup = new pg.Client({ connectionString: db.url });
  await setup.connect();
  try {
    await setup.query(`CREATE TABLE ${SERVICE_SCHEMA}.projection (
      n bigint GENERATED ALWAYS AS IDENTITY, event_id uuid NOT NULL, key text NOT NULL,
      seq integer NOT NULL, member text NOT NULL)`);
  } finally {
    await setup.end();
  }
  const pool = new pg.Pool({
    connectionString: db.url,
    max: 8,
    options: `-c search_path=${SERVICE_SCHEMA}`,
  });
  // pool.end() resolves before the sockets are closed; the DROP ... WITH (FORCE)
  // that follows may terminate one still closing, which the pool reports here.
  pool.on('error', () => undefined);
  return {
    url: db.url,
    schema: SERVICE_SCHEMA,
    pool,
    async projection() {
      const { rows } = await pool.query<{
        event_id: string;
        key: string;
        seq: number;
        member: string;
      }>('SELECT event_id, key, seq, member FROM projection ORDER BY n');
      return rows;
    },
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}
