import { readdir } from 'node:fs/promises';

import { createTestDatabase, uniqueName, type TestDatabase } from '@nes/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEvent, createPostgresBus, type EventBus } from '../../src/index.js';
import { PG_BUS_MIGRATIONS_DIR } from '../../src/postgres/pg-bus-schema.js';
import { LogStore } from '../../src/postgres/pg-log-store.js';
import { quietLogger } from '../support/test-bus.js';
import { delay, waitFor } from '../support/wait.js';

describe('postgres bus specifics', () => {
  let db: TestDatabase;
  let admin: pg.Pool;
  const buses: EventBus[] = [];

  const open = async (partitions: number): Promise<EventBus> => {
    const bus = await createPostgresBus({
      connectionString: db.url,
      logger: quietLogger,
      partitions,
      pollIntervalMs: 200,
      heartbeatIntervalMs: 300,
      sessionTimeoutMs: 3000,
    });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    db = await createTestDatabase('bus_pg');
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
    // Sessions still closing when the database is dropped (FORCE) report here.
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await admin?.end();
    await db?.drop();
  });

  it('migrates its schema once when several processes start at the same time', async () => {
    await Promise.all([open(4), open(4), open(4)]);
    const { rows } = await admin.query<{ name: string }>('SELECT name FROM nes_bus.pgmigrations');
    const files = (await readdir(PG_BUS_MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
    expect(rows.map((r) => `${r.name}.sql`).sort()).toEqual(files.sort());
  });

  it('keeps the partition count of the bus that created a topic', async () => {
    const topic = uniqueName('fixed');
    const [four, eight] = [await open(4), await open(8)];
    const event = (key: string) =>
      createEvent({ topic, type: 'nes.test.fixed.v1', source: 's', key, data: {} });
    await four.publish([event('a')]);
    await eight.publish(Array.from({ length: 40 }, (_, i) => event(`k${i}`)));
    const { rows } = await admin.query<{ partitions: number; used: number }>(
      `SELECT t.partitions, (SELECT count(DISTINCT partition)::int FROM nes_bus.record r WHERE r.topic = t.name) AS used
         FROM nes_bus.topic t WHERE t.name = $1`,
      [topic],
    );
    expect(rows).toEqual([{ partitions: 4, used: 4 }]);
  });

  it('starts a new group at the end when fromBeginning is false', async () => {
    const topic = uniqueName('latest');
    const bus = await open(4);
    const event = (seq: number) =>
      createEvent({ topic, type: 'nes.test.latest.v1', source: 's', key: 'k', data: { seq } });
    await bus.publish([event(0), event(1)]);
    const seen: number[] = [];
    const subscription = await bus.subscribe({
      group: uniqueName('latest_group'),
      topics: [topic],
      fromBeginning: false,
      handler: (e) => {
        seen.push((e.data as { seq: number }).seq);
        return Promise.resolve();
      },
    });
    await bus.publish([event(2)]);
    await waitFor('the new event', () => seen.length >= 1);
    await delay(300);
    await subscription.close();
    expect(seen).toEqual([2]);
  });

  it('deletes records past the retention, and only those', async () => {
    const topic = uniqueName('retention');
    const bus = await open(4);
    const event = (key: string) =>
      createEvent({ topic, type: 'nes.test.retained.v1', source: 's', key, data: {} });
    await bus.publish([event('old-1'), event('old-2'), event('new')]);
    await admin.query(
      `UPDATE nes_bus.record SET appended_at = now() - interval '8 days' WHERE topic = $1 AND key LIKE 'old-%'`,
      [topic],
    );
    const removed = await new LogStore(admin, 'nes_bus', 4).prune(7 * 24 * 3600_000);
    expect(removed).toBe(2);
    const { rows } = await admin.query<{ key: string }>(
      'SELECT key FROM nes_bus.record WHERE topic = $1',
      [topic],
    );
    expect(rows).toEqual([{ key: 'new' }]);
  });

  it('refuses to start against an unreachable database with a clear error', async () => {
    const url = new URL(db.url);
    url.port = '1';
    await expect(
      createPostgresBus({
        connectionString: url.toString(),
        logger: quietLogger,
        connectionTimeoutMs: 1000,
      }),
    ).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
