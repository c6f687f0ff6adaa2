import { uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { enqueue, type EventBus, type OutboxRelay } from '../../src/index.js';
import { byKey, range, seqOf, sequencedRounds } from '../support/events.js';
import { createServiceDb, type ServiceDb } from '../support/service-db.js';
import { createTestBus, testRelay } from '../support/test-bus.js';
import { openTransport, TRANSPORTS, type TransportUnderTest } from '../support/transports.js';
import { waitFor } from '../support/wait.js';

const KEYS = range(10).map((i) => `key-${i}`);
const ROUNDS = 30;

describe.each(TRANSPORTS)('%s bus: per-key ordering', (name) => {
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

  it('keeps each key in order from outbox to handler, across two relay replicas and a takeover', async () => {
    const topic = uniqueName('ordering');
    const deliveries: { key: string; seq: number }[] = [];
    const subscription = await bus.subscribe({
      group: uniqueName('ordering_group'),
      topics: [topic],
      handler: (event) => {
        deliveries.push({ key: event.partitionkey, seq: seqOf(event) });
        return Promise.resolve();
      },
    });
    const published: [number, number] = [0, 0];
    const relay = (index: 0 | 1): OutboxRelay =>
      testRelay(service, bus, {
        batchSize: 25,
        metrics: { published: (count) => void (published[index] += count) },
      });
    const relays = [relay(0), relay(1)];
    relays.forEach((r) => r.start());
    let bothActive = false;
    const watch = setInterval(() => {
      bothActive ||= relays.every((r) => r.status().active);
    }, 5);

    const rounds = sequencedRounds(topic, KEYS, ROUNDS);
    for (const [index, round] of rounds.entries()) {
      // Each round is one producer transaction holding one event per key.
      const client = await service.pool.connect();
      try {
        await client.query('BEGIN');
        await enqueue(client, round);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      if (index === ROUNDS / 2) {
        // Stop whichever replica is active: the standby must take over and resume in order.
        const active = await waitFor('an active relay that published', () =>
          relays.find((r, i) => r.status().active && published[i as 0 | 1] > 0),
        );
        await active.stop();
      }
    }

    await waitFor('all events', () => deliveries.length >= KEYS.length * ROUNDS, {
      describe: () => deliveries.length,
    });
    clearInterval(watch);
    await subscription.close();
    await Promise.all(relays.map((r) => r.stop()));

    expect(bothActive).toBe(false);
    // Both replicas did part of the work: the takeover really happened.
    expect(published.every((n) => n > 0)).toBe(true);
    expect(published[0] + published[1]).toBe(KEYS.length * ROUNDS);
    const perKey = byKey(deliveries);
    expect([...perKey.keys()].sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) expect(perKey.get(key), key).toEqual(range(ROUNDS));
    const { rows } = await service.pool.query<{ pending: number }>(
      'SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL',
    );
    expect(rows[0]?.pending).toBe(0);
  });

  it('keeps order within one publish call and across calls', async () => {
    const topic = uniqueName('ordering_direct');
    const seen: { key: string; seq: number }[] = [];
    const subscription = await bus.subscribe({
      group: uniqueName('direct_group'),
      topics: [topic],
      handler: (event) => {
        seen.push({ key: event.partitionkey, seq: seqOf(event) });
        return Promise.resolve();
      },
    });
    const rounds = sequencedRounds(topic, ['a', 'b', 'c'], 60);
    await bus.publish(rounds.slice(0, 30).flat());
    for (const round of rounds.slice(30)) await bus.publish(round);
    await waitFor('all events', () => seen.length >= 180);
    await subscription.close();
    for (const key of ['a', 'b', 'c']) expect(byKey(seen).get(key)).toEqual(range(60));
  });
});
