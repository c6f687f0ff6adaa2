import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runMigrations } from '@nes/kit';
import { createTestDatabase, uniqueName, type TestDatabase } from '@nes/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createEvent,
  enqueue,
  OUTBOX_MIGRATIONS_DIR,
  OutboxRelay,
  type CloudEvent,
  type EncodedEvent,
  type OutgoingEvent,
} from '../../src/index.js';
import { quietLogger, TEST_RELAY } from '../support/test-bus.js';
import { waitFor } from '../support/wait.js';

const SCHEMA = 'svc';
/** The migration that created `outbox` with `event jsonb`, as deployed databases applied it. */
const JSONB_MIGRATION = '20261128120000_nes-bus-outbox';
const TEXT_MIGRATION = '20261129031500_nes-bus-outbox-event-text';

/** `enqueue` as it was while the column was jsonb, verbatim: what older replicas still send. */
async function enqueueAsJsonb(db: pg.Pool, events: readonly OutgoingEvent[]): Promise<void> {
  await db.query(
    `INSERT INTO outbox (id, topic, key, event)
     SELECT e.id, e.topic, e.key, j.event::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS e(id, topic, key, ord)
       JOIN json_array_elements($4::json) WITH ORDINALITY AS j(event, ord) USING (ord)
      ORDER BY ord`,
    [
      events.map((e) => e.event.id),
      events.map((e) => e.topic),
      events.map((e) => e.event.partitionkey),
      `[${events.map((e) => JSON.stringify(e.event)).join(',')}]`,
    ],
  );
}

describe('outbox.event from jsonb to text', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let oldFolder: string;

  beforeAll(async () => {
    db = await createTestDatabase('bus_outbox_mig');
    // A folder holding only the first outbox migration: the database as the
    // previous release left it.
    oldFolder = await mkdtemp(join(tmpdir(), 'nes-bus-outbox-'));
    await symlink(
      join(OUTBOX_MIGRATIONS_DIR, `${JSONB_MIGRATION}.sql`),
      join(oldFolder, `${JSONB_MIGRATION}.sql`),
    );
    pool = new pg.Pool({ connectionString: db.url, max: 4, options: `-c search_path=${SCHEMA}` });
    pool.on('error', () => undefined);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    if (oldFolder !== undefined) await rm(oldFolder, { recursive: true, force: true });
  });

  it('converts unpublished rows in place, and the relay publishes them unchanged, in order', async () => {
    const topic = uniqueName('migrated');
    const make = (key: string, text: string): OutgoingEvent =>
      createEvent({
        topic,
        type: 'nes.test.migrated.v1',
        source: 'nes/test',
        key,
        data: { text, n: 1e21, list: [1, 2.5, { z: true, a: null }] },
      });
    const columnType = async () =>
      (
        await pool.query<{ data_type: string; is_nullable: string }>(
          `SELECT data_type, is_nullable FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'outbox' AND column_name = 'event'`,
          [SCHEMA],
        )
      ).rows[0];

    expect(
      await runMigrations({ url: db.url, schema: SCHEMA, dirs: [oldFolder], logger: quietLogger }),
    ).toEqual([JSONB_MIGRATION]);
    expect(await columnType()).toEqual({ data_type: 'jsonb', is_nullable: 'NO' });

    // The previous release's rows: unpublished ones (one with a failed attempt
    // behind it) and one published two days ago that pruning must still remove.
    const before = [
      make('a', 'first'),
      make('b', 'é 日本 😀 "quoted" back\\slash\nline'),
      make('a', 'second'),
      make('c', 'third'),
    ];
    await enqueueAsJsonb(pool, before);
    const published = make('old', 'published long ago');
    await enqueueAsJsonb(pool, [published]);
    await pool.query(
      `UPDATE outbox SET published_at = now() - interval '2 days', attempts = 1 WHERE id = $1`,
      [published.event.id],
    );
    await pool.query(`UPDATE outbox SET attempts = 3, last_error = 'broker down' WHERE id = $1`, [
      before[1]?.event.id,
    ]);
    // What the previous relay would have published for each of them (`event::text`).
    const { rows: expected } = await pool.query<{ id: string; value: string }>(
      `SELECT id::text, event::text AS value FROM outbox WHERE published_at IS NULL ORDER BY seq`,
    );
    expect(expected.map((r) => r.id)).toEqual(before.map((e) => e.event.id));

    // The new release migrates: only the conversion is pending.
    expect(
      await runMigrations({
        url: db.url,
        schema: SCHEMA,
        dirs: [OUTBOX_MIGRATIONS_DIR],
        logger: quietLogger,
      }),
    ).toEqual([TEXT_MIGRATION]);
    expect(await columnType()).toEqual({ data_type: 'text', is_nullable: 'NO' });
    await expect(
      pool.query(
        `INSERT INTO outbox (id, topic, key, event) VALUES (gen_random_uuid(), 't', 'k', NULL)`,
      ),
    ).rejects.toThrow(/null value/);

    // A replica of the previous release, still running during a rolling
    // upgrade, writes through its jsonb statement; the new one writes text.
    const straggler = make('a', 'from an old replica');
    await enqueueAsJsonb(pool, [straggler]);
    const after = [make('b', 'after'), make('a', 'after too')];
    await enqueue(pool, after);

    const bus: EncodedEvent[] = [];
    const relay = new OutboxRelay({
      pool,
      schema: SCHEMA,
      bus: {
        publishEncoded: (events) => {
          bus.push(...events);
          return Promise.resolve();
        },
      },
      logger: quietLogger,
      ...TEST_RELAY,
      batchSize: 2,
      retentionMs: 24 * 3600_000,
    });
    relay.start();
    try {
      await waitFor('every unpublished event', () => bus.length >= 7, {
        describe: () => bus.length,
      });
      await waitFor('the prune of the old published row', async () => {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE id = $1',
          [published.event.id],
        );
        return rows[0]?.n === 0;
      });
    } finally {
      await relay.stop();
    }

    // Nothing lost, nothing twice, in seq order; the migrated rows go out as
    // the text the previous relay would have sent, the old replica's row in
    // jsonb's rendering (as it would have before), the new rows as serialised.
    const { rows: stragglerText } = await pool.query<{ value: string }>(
      'SELECT $1::jsonb::text AS value',
      [JSON.stringify(straggler.event)],
    );
    expect(bus.map((e) => e.value)).toEqual([
      ...expected.map((r) => r.value),
      stragglerText[0]?.value,
      ...after.map((e) => JSON.stringify(e.event)),
    ]);
    expect(bus.map((e) => JSON.parse(e.value) as CloudEvent)).toEqual(
      [...before, straggler, ...after].map((e) => e.event),
    );
    expect(bus.map((e) => [e.topic, e.key])).toEqual(
      [...before, straggler, ...after].map((e) => [topic, e.event.partitionkey]),
    );
    const { rows: left } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(left[0]?.n).toBe(0);
  });
});
