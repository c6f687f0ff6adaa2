import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, getInfra, type TestDatabase } from '../src/index.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('postgres', () => {
  it('answers SELECT 1 at the run URL', async () => {
    const rows = await query<{ one: number }>(getInfra().postgres.url, 'SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  describe('createTestDatabase', () => {
    let first: TestDatabase;
    let second: TestDatabase;

    beforeAll(async () => {
      [first, second] = await Promise.all([createTestDatabase('iso'), createTestDatabase('iso')]);
    });
    afterAll(async () => {
      await Promise.all([first.drop(), second.drop()]);
    });

    it('makes distinct databases that do not see each other', async () => {
      expect(first.name).not.toBe(second.name);
      expect(first.name).toMatch(/^iso_[a-z0-9]{10}$/);
      await query(first.url, 'CREATE TABLE only_in_first (id int)');
      const inFirst = await query(
        first.url,
        "SELECT 1 FROM pg_tables WHERE tablename = 'only_in_first'",
      );
      const inSecond = await query(
        second.url,
        "SELECT 1 FROM pg_tables WHERE tablename = 'only_in_first'",
      );
      expect(inFirst).toHaveLength(1);
      expect(inSecond).toHaveLength(0);
      const [current] = await query<{ db: string }>(first.url, 'SELECT current_database() AS db');
      expect(current?.db).toBe(first.name);
    });

    it('drops the database even with a connection still open', async () => {
      const doomed = await createTestDatabase('doomed');
      const open = new pg.Client({ connectionString: doomed.url });
      await open.connect();
      open.on('error', () => undefined); // the forced drop terminates it
      await doomed.drop();
      await doomed.drop(); // idempotent
      const left = await query(
        getInfra().postgres.url,
        `SELECT 1 FROM pg_database WHERE datname = '${doomed.name}'`,
      );
      expect(left).toHaveLength(0);
      await open.end().catch(() => undefined);
    });
  });
});
