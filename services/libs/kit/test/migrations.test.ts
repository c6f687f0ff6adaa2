import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@nes/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createPool, runMigrations } from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/migrations/', import.meta.url));
const serviceDir = join(fixtures, 'service');
const libraryDir = join(fixtures, 'library');
const logger = createLogger({ service: 'kit-migrations-test', level: 'silent' });
const allNames = [
  '20261101000000_create-widget',
  '20261101120000_lib-owner',
  '20261102000000_add-widget-owner',
];

let db: TestDatabase;
let pool: pg.Pool;
let scratch: string;

beforeAll(async () => {
  db = await createTestDatabase('kit_migrations');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  scratch = await mkdtemp(join(tmpdir(), 'nes-kit-migrations-'));
});

afterAll(async () => {
  await pool.end();
  await db.drop();
  await rm(scratch, { recursive: true, force: true });
});

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

async function appliedIn(schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT name FROM "${schema}".pgmigrations ORDER BY id`,
  );
  return rows.map((r) => r.name);
}

/** A folder in the scratch space with the given files. */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await cp(serviceDir, dir, { recursive: true });
  for (const [file, sql] of Object.entries(files)) await writeFile(join(dir, file), sql);
  return dir;
}

describe('runMigrations', () => {
  it('applies every folder into a fresh schema, in timestamp order, and is idempotent', async () => {
    const applied = await runMigrations({
      url: db.url,
      schema: 'svc_fresh',
      dirs: [serviceDir, libraryDir],
      logger,
    });
    expect(applied).toEqual(allNames);
    expect(await tablesIn('svc_fresh')).toEqual(['lib_owner', 'pgmigrations', 'widget']);
    expect(await tablesIn('public')).toEqual([]);
    expect(await appliedIn('svc_fresh')).toEqual(allNames);

    const again = await runMigrations({
      pool,
      schema: 'svc_fresh',
      dirs: [serviceDir, libraryDir],
      logger,
    });
    expect(again).toEqual([]);
    expect(await appliedIn('svc_fresh')).toEqual(allNames);
  });

  it('leaves the pool usable: the migration session is discarded, not returned', async () => {
    await runMigrations({ pool, schema: 'svc_pool', dirs: [serviceDir, libraryDir], logger });
    const { rows } = await pool.query<{ search_path: string }>('SHOW search_path');
    expect(rows[0]?.search_path).not.toContain('svc_pool');
  });

  it('lets two replicas start at once: one applies, the other waits and finds nothing to do', async () => {
    const run = () =>
      runMigrations({ url: db.url, schema: 'svc_race', dirs: [serviceDir, libraryDir], logger });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a, b].map((names) => names.length).sort()).toEqual([0, 3]);
    expect(await appliedIn('svc_race')).toEqual(allNames);
  });

  it('gives up waiting for another run after the lock timeout, naming the schema', async () => {
    const slow = await folder('slow', { '20261103000000_slow.sql': 'SELECT pg_sleep(1.5);' });
    const first = runMigrations({
      url: db.url,
      schema: 'svc_slow',
      dirs: [slow, libraryDir],
      logger,
    });
    first.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(
      runMigrations({
        url: db.url,
        schema: 'svc_slow',
        dirs: [slow, libraryDir],
        logger,
        lockTimeoutMs: 200,
      }),
    ).rejects.toThrow(
      "another run of the migrations of schema 'svc_slow' still holds the lock after 200 ms",
    );
    expect(await first).toContain('20261103000000_slow');
  });

  it('applies one folder into several schemas, each with its own bookkeeping', async () => {
    await Promise.all(
      ['svc_a', 'svc_b'].map((schema) =>
        runMigrations({ pool, schema, dirs: [libraryDir], logger }),
      ),
    );
    expect(await tablesIn('svc_a')).toEqual(['lib_owner', 'pgmigrations']);
    expect(await tablesIn('svc_b')).toEqual(['lib_owner', 'pgmigrations']);
  });

  it('rolls back the whole run when a migration fails', async () => {
    const broken = await folder('broken', { '20261103000000_broken.sql': 'CREATE TABLE oops (;' });
    await expect(
      runMigrations({ pool, schema: 'svc_broken', dirs: [broken, libraryDir], logger }),
    ).rejects.toThrow(/syntax error/);
    expect(await tablesIn('svc_broken')).toEqual(['pgmigrations']);
  });

  it('refuses a new migration older than one already applied from the same folder', async () => {
    const dir = await folder('late', {});
    await runMigrations({ pool, schema: 'svc_late', dirs: [dir, libraryDir], logger });
    await writeFile(join(dir, '20261101060000_late.sql'), 'CREATE TABLE late (id int);');
    await expect(
      runMigrations({ pool, schema: 'svc_late', dirs: [dir, libraryDir], logger }),
    ).rejects.toThrow("migration '20261101060000_late' in");
  });

  it('accepts a library migration older than the service migrations already applied', async () => {
    const lib = join(scratch, 'lib-upgrade');
    await cp(libraryDir, lib, { recursive: true });
    await runMigrations({ pool, schema: 'svc_upgrade', dirs: [serviceDir, lib], logger });
    await writeFile(join(lib, '20261101130000_lib-extra.sql'), 'CREATE TABLE lib_extra (id int);');
    expect(
      await runMigrations({ pool, schema: 'svc_upgrade', dirs: [serviceDir, lib], logger }),
    ).toEqual(['20261101130000_lib-extra']);
  });

  it('refuses badly named files, duplicate names, bad schemas and missing folders', async () => {
    const badName = await folder('bad-name', { 'create-things.sql': 'SELECT 1;' });
    await expect(runMigrations({ pool, schema: 'svc_x', dirs: [badName], logger })).rejects.toThrow(
      "migration 'create-things.sql'",
    );
    await expect(
      runMigrations({ pool, schema: 'svc_x', dirs: [serviceDir, serviceDir], logger }),
    ).rejects.toThrow(/exists in both/);
    await expect(
      runMigrations({ pool, schema: 'Robert"; DROP', dirs: [serviceDir], logger }),
    ).rejects.toThrow(TypeError);
    await expect(
      runMigrations({ pool, schema: 'svc_x', dirs: [join(scratch, 'nope')], logger }),
    ).rejects.toThrow(/cannot read migrations folder/);
  });

  it('puts the schema on the search_path of pools created for it', async () => {
    await runMigrations({ pool, schema: 'svc_path', dirs: [serviceDir, libraryDir], logger });
    const servicePool = createPool({
      url: db.url,
      applicationName: 'nes-kit-test',
      schema: 'svc_path',
      logger,
    });
    try {
      await servicePool.query("INSERT INTO widget (name) VALUES ('w')");
      const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM svc_path.widget');
      expect(rows[0]?.count).toBe('1');
    } finally {
      await servicePool.end();
    }
  });
});
