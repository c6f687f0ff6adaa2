import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '@nes/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  createPool,
  isRetryableTransactionError,
  postgresReadinessCheck,
  withTransaction,
} from '../src/index.js';

const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'kit-db-test',
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  }),
});

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('kit_db');
  pool = createPool({
    url: db.url,
    poolSize: 4,
    applicationName: 'nes-kit-test',
    logger,
    statementTimeoutMs: 5_000,
  });
  await pool.query('CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)');
  await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
  await pool.query('INSERT INTO counter VALUES (1, 0)');
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

function expectAllReleased(): void {
  expect(pool.waitingCount).toBe(0);
  expect(pool.idleCount).toBe(pool.totalCount);
}

describe('createPool', () => {
  it('sets the statement timeout and application name on every session', async () => {
    const { rows } = await pool.query<{ statement_timeout: string; application_name: string }>(
      "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('application_name') AS application_name",
    );
    expect(rows[0]).toEqual({ statement_timeout: '5s', application_name: 'nes-kit-test' });
    // TCP keep-alive, so a connection to a server that vanished is noticed.
    expect(pool.options).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    const impatient = createPool({
      url: db.url,
      applicationName: 'x',
      logger,
      statementTimeoutMs: 100,
    });
    try {
      await expect(impatient.query('SELECT pg_sleep(5)')).rejects.toThrow(/statement timeout/);
    } finally {
      await impatient.end();
    }
  });

  it('makes every transaction read-only from the first statement of a session when asked', async () => {
    const reader = createPool({ url: db.url, applicationName: 'reader', logger, readOnly: true });
    try {
      // The very first statement of a fresh session, and one inside an explicit transaction.
      await expect(reader.query("INSERT INTO item VALUES (8, 'x')")).rejects.toThrow(
        /read-only transaction/,
      );
      await expect(
        withTransaction(reader, (client) => client.query("INSERT INTO item VALUES (8, 'x')")),
      ).rejects.toThrow(/read-only transaction/);
      expect((await reader.query('SELECT count(*)::int AS n FROM item')).rows[0]).toEqual({ n: 0 });
    } finally {
      await reader.end();
    }
  });

  it('survives an idle connection being killed, logging it, and keeps serving', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    client.release();
    const other = createPool({ url: db.url, applicationName: 'killer', logger });
    try {
      await other.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    } finally {
      await other.end();
    }
    for (
      let i = 0;
      i < 50 && !lines.some((l) => l.subsystem === 'db' && l.level === 'warn');
      i += 1
    )
      await sleep(20);
    expect(lines).toContainEqual(expect.objectContaining({ subsystem: 'db', level: 'warn' }));
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('passes its readiness check while the server answers', async () => {
    await expect(
      postgresReadinessCheck(pool)(new AbortController().signal),
    ).resolves.toBeUndefined();
    const dead = createPool({
      url: 'postgres://nobody@127.0.0.1:1/none',
      applicationName: 'x',
      logger,
      connectionTimeoutMs: 500,
    });
    try {
      await expect(postgresReadinessCheck(dead)(new AbortController().signal)).rejects.toThrow();
    } finally {
      await dead.end();
    }
  });
});

describe('withTransaction', () => {
  it('commits and returns what fn returns', async () => {
    const result = await withTransaction(pool, async (client) => {
      await client.query("INSERT INTO item VALUES (1, 'one')");
      return 'done';
    });
    expect(result).toBe('done');
    expect((await pool.query('SELECT name FROM item WHERE id = 1')).rows).toEqual([
      { name: 'one' },
    ]);
    expectAllReleased();
  });

  it('rolls back everything when fn throws, and rethrows', async () => {
    const failure = new Error('business rule');
    await expect(
      withTransaction(pool, async (client) => {
        await client.query("INSERT INTO item VALUES (2, 'two')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await pool.query('SELECT * FROM item WHERE id = 2')).rowCount).toBe(0);
    expectAllReleased();
  });

  it('rolls back after a failed statement', async () => {
    await expect(
      withTransaction(pool, async (client) => {
        await client.query("INSERT INTO item VALUES (3, 'three')");
        await client.query("INSERT INTO item VALUES (3, 'again')");
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query('SELECT * FROM item WHERE id = 3')).rowCount).toBe(0);
    expectAllReleased();
  });

  /** Two serializable increments that both read before either writes: one must fail with 40001. */
  async function racingIncrements(retries: number): Promise<PromiseSettledResult<number>[]> {
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const increment = () => {
      let attempt = 0;
      return withTransaction(
        pool,
        async (client) => {
          attempt += 1;
          const { rows } = await client.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
          if (attempt === 1) {
            arrived += 1;
            if (arrived === 2) release();
            await bothRead;
          }
          await client.query('UPDATE counter SET n = $1 WHERE id = 1', [(rows[0]?.n ?? 0) + 1]);
          return attempt;
        },
        { isolation: 'serializable', retries },
      );
    };
    return Promise.allSettled([increment(), increment()]);
  }

  it('retries a serialization failure so that both increments count', async () => {
    await pool.query('UPDATE counter SET n = 0');
    const results = await racingIncrements(2);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const attempts = results.map((r) => (r.status === 'fulfilled' ? r.value : 0)).sort();
    expect(attempts).toEqual([1, 2]);
    expect((await pool.query('SELECT n FROM counter')).rows).toEqual([{ n: 2 }]);
    expectAllReleased();
  });

  it('gives up after the allowed retries with the serialization failure', async () => {
    await pool.query('UPDATE counter SET n = 0');
    const results = await racingIncrements(0);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(isRetryableTransactionError((rejected[0] as PromiseRejectedResult).reason)).toBe(true);
    expect((await pool.query('SELECT n FROM counter')).rows).toEqual([{ n: 1 }]);
    expectAllReleased();
  });

  it('runs read-only transactions read-only', async () => {
    await expect(
      withTransaction(pool, (client) => client.query("INSERT INTO item VALUES (9, 'x')"), {
        readOnly: true,
      }),
    ).rejects.toThrow(/read-only transaction/);
    expectAllReleased();
  });
});
