import { uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { idempotentHandler, type EventBus, type Subscription } from '../../src/index.js';
import { range, seqOf, sequencedRound, sequencedRounds } from '../support/events.js';
import { createServiceDb, type ServiceDb } from '../support/service-db.js';
import { createTestBus } from '../support/test-bus.js';
import { openTransport, TRANSPORTS, type TransportUnderTest } from '../support/transports.js';
import { delay, waitFor } from '../support/wait.js';

const KEYS = range(16).map((i) => `member-key-${i}`);

describe.each(TRANSPORTS)('%s bus: a consumer group of two', (name) => {
  let transport: TransportUnderTest;
  let service: ServiceDb;
  // One bus per member, as two replicas of a service would have.
  let buses: EventBus[];

  beforeAll(async () => {
    [transport, service] = await Promise.all([openTransport(name), createServiceDb()]);
    buses = await Promise.all([createTestBus(transport.config), createTestBus(transport.config)]);
  });

  afterAll(async () => {
    await Promise.all((buses ?? []).map((b) => b.close()));
    await service?.close();
    await transport?.close();
  });

  it('shares the partitions: both members get work and every event takes effect once', async () => {
    const topic = uniqueName('group');
    const group = uniqueName('shared_group');
    const deliveries = { a: 0, b: 0 };
    const member = (id: 'a' | 'b', bus: EventBus): Promise<Subscription> =>
      bus.subscribe({
        group,
        topics: [topic],
        handler: idempotentHandler({
          pool: service.pool,
          handler: async (event, tx) => {
            deliveries[id] += 1;
            await tx.query(
              'INSERT INTO projection (event_id, key, seq, member) VALUES ($1, $2, $3, $4)',
              [event.id, event.partitionkey, seqOf(event), id],
            );
          },
        }),
      });
    const [busA, busB] = buses as [EventBus, EventBus];
    const subscriptions = [await member('a', busA), await member('b', busB)];

    // Warm-up rounds, as many as it takes, until the group has settled with
    // both members working (a rebalance can take seconds on a loaded machine).
    let rounds = 0;
    await waitFor(
      'both members to receive events',
      async () => {
        await busA.publish(sequencedRound(topic, KEYS, rounds));
        rounds += 1;
        await delay(150);
        return deliveries.a > 0 && deliveries.b > 0;
      },
      { timeoutMs: 30_000, intervalMs: 0, describe: () => deliveries },
    );
    // Then a batch through the other member's bus, all at once.
    const warmUp = rounds;
    rounds += 20;
    await busB.publish(sequencedRounds(topic, KEYS, rounds).slice(warmUp).flat());
    const total = KEYS.length * rounds;
    await waitFor(
      'every event to take effect',
      async () => (await service.projection()).length >= total,
      {
        timeoutMs: 30_000,
      },
    );
    await delay(300);
    await Promise.all(subscriptions.map((s) => s.close()));

    const rows = await service.projection();
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(total);
    const byMember = {
      a: rows.filter((r) => r.member === 'a').length,
      b: rows.filter((r) => r.member === 'b').length,
    };
    expect(byMember.a).toBeGreaterThan(0);
    expect(byMember.b).toBeGreaterThan(0);
    // Each key was handled by one member at a time, so its effects are still in order.
    for (const key of KEYS) {
      expect(
        rows.filter((r) => r.key === key).map((r) => r.seq),
        key,
      ).toEqual(range(rounds));
    }
  });
});
