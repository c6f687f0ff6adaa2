import { runMigrations } from '@nes/kit';
import { uniqueName } from '@nes/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createEvent,
  enqueue,
  InvalidEventError,
  OutboxRelay,
  type CloudEvent,
  type EncodedEvent,
  type EventBus,
  type OutgoingEvent,
  OUTBOX_MIGRATIONS_DIR,
} from '../../src/index.js';
import { nextBatchQuery, RelayStore } from '../../src/outbox/relay-store.js';
import { createServiceDb, type ServiceDb } from '../support/service-db.js';
import { quietLogger, testRelay } from '../support/test-bus.js';
import { waitFor } from '../support/wait.js';

/** A bus that records what it is given: the relay's behaviour is under test here, not a transport. */
function recordingBus(): Pick<EventBus, 'publishEncoded'> & { published: OutgoingEvent[] } {
  const published: OutgoingEvent[] = [];
  return {
    published,
    publishEncoded: (events) => {
      published.push(...events.map(asOutgoing));
      return Promise.resolve();
    },
  };
}

/** What the relay hands over, read back: the stored envelope, parsed. */
function asOutgoing(encoded: EncodedEvent): OutgoingEvent {
  const event = JSON.parse(encoded.value) as CloudEvent;
  expect(encoded.key).toBe(event.partitionkey);
  return { topic: encoded.topic, event };
}

const event = (topic: string, key = 'k'): OutgoingEvent =>
  createEvent({
    topic,
    type: 'nes.test.relayed.v1',
    source: 'nes/test',
    key,
    data: { at: Date.now() },
  });

describe('outbox relay', () => {
  let service: ServiceDb;

  beforeAll(async () => {
    service = await createServiceDb();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('refuses an invalid event at enqueue time, failing the producer transaction', async () => {
    const topic = uniqueName('invalid');
    const bad = event(topic);
    const invalid = { topic, event: { ...bad.event, time: 'not a time' } };
    const client = await service.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(enqueue(client, [event(topic), invalid])).rejects.toThrow(InvalidEventError);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const { rows } = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE topic = $1',
      [topic],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('stores the envelope, topic and key as written', async () => {
    const topic = uniqueName('stored');
    const out = event(topic, 'stored-key');
    await enqueue(service.pool, out);
    const { rows } = await service.pool.query<{
      id: string;
      key: string;
      event: string;
      published_at: Date | null;
    }>('SELECT id, key, event, published_at FROM outbox WHERE topic = $1', [topic]);
    // The envelope is kept as the text the producer serialised, byte for byte.
    expect(rows).toEqual([
      { id: out.event.id, key: 'stored-key', event: JSON.stringify(out.event), published_at: null },
    ]);
  });

  it('stores each envelope of a batch byte for byte, whatever its strings hold', async () => {
    const topic = uniqueName('bytes');
    // Characters JSON.stringify escapes (line breaks, NUL, quotes, backslashes)
    // or passes through (non-ASCII, U+2028) must neither split a batch nor change.
    const awkward = [
      'line\nbreak\r\n',
      'nul \u0000 and \u001f',
      'quote " back\\slash / slash',
      'é 日本 😀 \u2028 \u2029 \ud800 lone surrogate',
      '',
    ];
    const events = awkward.map((text, n) =>
      createEvent({
        topic,
        type: 'nes.test.relayed.v1',
        source: 'nes/test',
        key: `k${n}`,
        data: { text, nested: [{ text }], n },
      }),
    );
    await enqueue(service.pool, events);
    const { rows } = await service.pool.query<{ id: string; key: string; event: string }>(
      'SELECT id, key, event FROM outbox WHERE topic = $1 ORDER BY seq',
      [topic],
    );
    expect(rows).toEqual(
      events.map((e) => ({
        id: e.event.id,
        key: e.event.partitionkey,
        event: JSON.stringify(e.event),
      })),
    );
  });

  it('publishes, reports metrics, and prunes published rows and old processed ids', async () => {
    const topic = uniqueName('prune');
    const bus = recordingBus();
    // Old history: published two days ago, and processed ids from long ago.
    const old = event(topic, 'old');
    await enqueue(service.pool, old);
    await service.pool.query(
      `UPDATE outbox SET published_at = now() - interval '2 days' WHERE id = $1`,
      [old.event.id],
    );
    await service.pool.query(
      `INSERT INTO processed_event (consumer_group, event_id, processed_at)
       VALUES ('g-old', gen_random_uuid(), now() - interval '30 days'), ('g-new', gen_random_uuid(), now())`,
    );
    const fresh = [event(topic, 'a'), event(topic, 'b'), event(topic, 'a')];
    await enqueue(service.pool, fresh);

    const backlog: number[] = [];
    const batches: { count: number; lag: number }[] = [];
    const relay = testRelay(service, bus, {
      retentionMs: 24 * 3600_000,
      processedEventRetentionMs: 7 * 24 * 3600_000,
      metrics: {
        backlog: (size) => void backlog.push(size),
        published: (count, _durationMs, lag) => void batches.push({ count, lag }),
      },
    });
    relay.start();
    await waitFor(
      'the fresh events',
      () => bus.published.filter((p) => p.topic === topic).length >= 3,
    );
    await waitFor('the first prune', async () => {
      const { rows } = await service.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE id = $1',
        [old.event.id],
      );
      return rows[0]?.n === 0;
    });
    await relay.stop();

    // Earlier tests' rows are in the same outbox; this topic's rows come in enqueue order.
    const ours = bus.published.filter((p) => p.topic === topic);
    expect(ours.map((p) => p.event.id)).toEqual(fresh.map((f) => f.event.id));
    expect(backlog[0]).toBeGreaterThanOrEqual(3);
    expect(batches.reduce((sum, b) => sum + b.count, 0)).toBe(bus.published.length);
    expect(batches[0]?.lag).toBeGreaterThanOrEqual(0);
    const { rows: groups } = await service.pool.query<{ consumer_group: string }>(
      'SELECT consumer_group FROM processed_event ORDER BY 1',
    );
    expect(groups.map((g) => g.consumer_group)).toEqual(['g-new']);
    const { rows: kept } = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND published_at IS NOT NULL',
      [topic],
    );
    expect(kept[0]?.n).toBe(3);
  });

  it('counts a backlog at most once per sample interval while batches come full', async () => {
    const topic = uniqueName('backlog');
    const counted = async (backlogSampleMs: number) => {
      const bus = recordingBus();
      await enqueue(
        service.pool,
        Array.from({ length: 10 }, (_, i) => event(topic, `k${i}`)),
      );
      const backlog: number[] = [];
      const relay = testRelay(service, bus, {
        batchSize: 2,
        retentionMs: 0,
        backlogSampleMs,
        metrics: { backlog: (size) => void backlog.push(size) },
      });
      relay.start();
      await waitFor('the events', () => bus.published.length >= 10);
      await relay.stop();
      // Sizes below the batch size are exact (a batch that was not full); the
      // others are counts.
      return backlog.filter((size) => size >= 2).length;
    };
    expect(await counted(60_000)).toBe(1);
    expect(await counted(0)).toBeGreaterThanOrEqual(4);
  });

  it('wakes on NOTIFY rather than waiting for the poll interval', async () => {
    const topic = uniqueName('notify');
    const bus = recordingBus();
    const relay = testRelay(service, bus, { pollIntervalMs: 60_000 });
    relay.start();
    await waitFor('the relay to become active', () => relay.status().active);
    await enqueue(service.pool, event(topic));
    await waitFor('the event', () => bus.published.some((p) => p.topic === topic), {
      timeoutMs: 5000,
    });
    await relay.stop();
    expect(relay.status()).toMatchObject({ active: false, running: false });
  });

  it('with a retention of 0, deletes each batch once the bus has taken it', async () => {
    const topic = uniqueName('delete');
    const published: OutgoingEvent[] = [];
    let refuse = true;
    const bus = {
      publishEncoded: (events: readonly EncodedEvent[]) => {
        if (refuse) return Promise.reject(new Error('broker down'));
        published.push(...events.map(asOutgoing));
        return Promise.resolve();
      },
    };
    const relay = testRelay(service, bus, { retentionMs: 0 });
    const rowsOf = async () =>
      (
        await service.pool.query<{ attempts: number }>(
          'SELECT attempts FROM outbox WHERE topic = $1',
          [topic],
        )
      ).rows;
    const events = [event(topic, 'a'), event(topic, 'b')];
    await enqueue(service.pool, events);
    relay.start();
    // While the bus refuses, the rows stay (with their failed attempts).
    await waitFor('a failed attempt', async () =>
      (await rowsOf()).every((row) => row.attempts > 0),
    );
    expect(await rowsOf()).toHaveLength(2);
    refuse = false;
    await waitFor('the events', () => published.filter((p) => p.topic === topic).length === 2);
    await relay.stop();
    expect(await rowsOf()).toEqual([]);
    expect(published.filter((p) => p.topic === topic).map((p) => p.event.id)).toEqual(
      events.map((e) => e.event.id),
    );
  });

  it('reads batches in seq order from the index even when the statistics say the outbox is empty', async () => {
    // A schema of its own, so the table's statistics are this test's.
    const schema = uniqueName('plan');
    await runMigrations({
      url: service.url,
      schema,
      dirs: [OUTBOX_MIGRATIONS_DIR],
      logger: quietLogger,
    });
    const session = new pg.Client({ connectionString: service.url });
    await session.connect();
    const store = new RelayStore(schema);
    const fill = (rows: number) =>
      session.query(
        `INSERT INTO ${schema}.outbox (id, topic, key, event)
         SELECT gen_random_uuid(), 't', 'k', repeat('x', 1000) FROM generate_series(1, $1)`,
        [rows],
      );
    try {
      // Drained and vacuumed (the quiet state): Postgres now estimates a few
      // rows. Then a backlog builds up in the freed space.
      await fill(2000);
      await session.query(`DELETE FROM ${schema}.outbox`);
      await session.query(`VACUUM ${schema}.outbox`);
      await fill(10_000);
      await store.prepare(session);
      const { rows } = await session.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ${nextBatchQuery(`${schema}.outbox`)}`,
        [500],
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using outbox_unpublished_idx/);
      expect(plan).not.toMatch(/Sort/);
    } finally {
      await session.query(`DROP SCHEMA ${schema} CASCADE`);
      await session.end();
    }
  });

  it('rejects nonsense configuration', () => {
    const bus = recordingBus();
    expect(
      () =>
        new OutboxRelay({
          pool: service.pool,
          schema: 'svc',
          bus,
          logger: quietLogger,
          batchSize: 0,
        }),
    ).toThrow(/batchSize/);
  });
});
