import { uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { enqueue, idempotentHandler, type EventBus } from '../../src/index.js';
import { range, seqOf, sequencedRounds } from '../support/events.js';
import { createServiceDb, type ServiceDb } from '../support/service-db.js';
import { createTestBus, testRelay } from '../support/test-bus.js';
import { openTransport, TRANSPORTS, type TransportUnderTest } from '../support/transports.js';
import { waitFor } from '../support/wait.js';

const KEYS = ['k1', 'k2', 'k3', 'k4', 'k5'];

describe.each(TRANSPORTS)('%s bus: transport unavailable for a while', (name) => {
  let transport: TransportUnderTest;
  let service: ServiceDb;
  let bus: EventBus;

  beforeAll(async () => {
    [transport, service] = await Promise.all([openTransport(name), createServiceDb()]);
    bus = await createTestBus(transport.config);
  });

  afterAll(async () => {
    await bus?.close();
    await service?.close();
    await transport?.close();
  });

  it('keeps events in the outbox while it is down and delivers all of them after', async () => {
    const topic = uniqueName('outage');
    const failures: number[] = [];
    const relay = testRelay(service, bus, {
      metrics: { failed: (count) => void failures.push(count) },
    });
    const subscription = await bus.subscribe({
      group: uniqueName('outage_group'),
      topics: [topic],
      handler: idempotentHandler({
        pool: service.pool,
        handler: async (event, tx) => {
          await tx.query(
            'INSERT INTO projection (event_id, key, seq, member) VALUES ($1, $2, $3, $4)',
            [event.id, event.partitionkey, seqOf(event), 'consumer'],
          );
        },
      }),
    });
    relay.start();
    const rounds = sequencedRounds(topic, KEYS, 12);
    const produce = async (from: number, to: number): Promise<void> => {
      for (const round of rounds.slice(from, to)) await enqueue(service.pool, round);
    };

    // Flowing before the outage.
    await produce(0, 4);
    await waitFor(
      'events before the outage',
      async () => (await service.projection()).length >= 20,
    );

    await transport.goDown();
    await produce(4, 12);
    // The relay tried, failed, and kept every row. The row's mark, the metric and
    // the relay's status follow one another, not at one instant: wait for all three.
    await waitFor('failed publish attempts', async () => {
      const { rows } = await service.pool.query<{ failed: number }>(
        'SELECT count(*)::int AS failed FROM outbox WHERE published_at IS NULL AND attempts > 0 AND last_error IS NOT NULL',
      );
      return (
        (rows[0]?.failed ?? 0) > 0 && failures.length > 0 && relay.status().lastError !== undefined
      );
    });
    expect((await bus.readiness()).ready).toBe(false);
    const { rows: pending } = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(pending[0]?.n).toBe(KEYS.length * 8);

    await transport.comeBack();
    await waitFor(
      'every event after the outage',
      async () => (await service.projection()).length >= 60,
      {
        timeoutMs: 45_000,
      },
    );
    await waitFor('the bus to report ready', async () => (await bus.readiness()).ready);
    await subscription.close();
    await relay.stop();

    const rows = await service.projection();
    expect(rows).toHaveLength(60);
    for (const key of KEYS) {
      expect(
        rows.filter((r) => r.key === key).map((r) => r.seq),
        key,
      ).toEqual(range(12));
    }
    const { rows: left } = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(left[0]?.n).toBe(0);
  });
});
