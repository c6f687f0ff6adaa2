import { uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { idempotentHandler, type EventBus } from '../../src/index.js';
import { seqOf, sequencedRounds } from '../support/events.js';
import { createServiceDb, type ServiceDb } from '../support/service-db.js';
import { createTestBus } from '../support/test-bus.js';
import { openTransport, TRANSPORTS, type TransportUnderTest } from '../support/transports.js';
import { delay, waitFor } from '../support/wait.js';

describe.each(TRANSPORTS)('%s bus: lifecycle and duplicates', (name) => {
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

  it('reports ready when the transport answers', async () => {
    const readiness = await bus.readiness();
    expect(readiness.ready).toBe(true);
  });

  it('close() lets the handler in flight finish and commits its offset', async () => {
    const topic = uniqueName('drain');
    const group = uniqueName('drain_group');
    const finished: number[] = [];
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const first = await bus.subscribe({
      group,
      topics: [topic],
      handler: async (event) => {
        started();
        await delay(400);
        finished.push(seqOf(event));
      },
    });
    await bus.publish(sequencedRounds(topic, ['drain-key'], 2).flat());
    await firstStarted;
    await first.close();
    // The in-flight handler completed before close() resolved, and nothing after it ran.
    expect(finished).toEqual([0]);

    const second: number[] = [];
    const next = await bus.subscribe({
      group,
      topics: [topic],
      handler: (event) => {
        second.push(seqOf(event));
        return Promise.resolve();
      },
    });
    await waitFor('the rest of the partition', () => second.length >= 1, { timeoutMs: 30_000 });
    await delay(300);
    await next.close();
    // seq 0 was committed on close: the group resumes at seq 1.
    expect(second).toEqual([1]);
  });

  it('applies an event delivered twice only once', async () => {
    const topic = uniqueName('dupes');
    const duplicates: string[] = [];
    const subscription = await bus.subscribe({
      group: uniqueName('dupes_group'),
      topics: [topic],
      handler: idempotentHandler({
        pool: service.pool,
        onDuplicate: (event) => duplicates.push(event.id),
        handler: async (event, tx) => {
          await tx.query(
            'INSERT INTO projection (event_id, key, seq, member) VALUES ($1, $2, $3, $4)',
            [event.id, event.partitionkey, seqOf(event), 'only'],
          );
        },
      }),
    });
    const [round] = sequencedRounds(topic, ['dup-key'], 1);
    // A relay that crashed after publishing but before marking does exactly this.
    await bus.publish(round!);
    await bus.publish(round!);
    await waitFor('the redelivery', () => duplicates.length >= 1);
    await subscription.close();
    const rows = (await service.projection()).filter((r) => r.key === 'dup-key');
    expect(rows).toHaveLength(1);
    expect(duplicates).toEqual([round![0]!.event.id]);
  });
});
