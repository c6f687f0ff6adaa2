import { uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EventBus } from '../../src/index.js';
import { range, sequencedRounds } from '../support/events.js';
import { createServiceDb, type ServiceDb } from '../support/service-db.js';
import { spawnConsumer, type ConsumerProcess } from '../support/spawn-consumer.js';
import { createTestBus } from '../support/test-bus.js';
import { openTransport, TRANSPORTS, type TransportUnderTest } from '../support/transports.js';
import { waitFor } from '../support/wait.js';

const TOTAL = 120;

describe.each(TRANSPORTS)('%s bus: a consumer killed with SIGKILL mid-batch', (name) => {
  let transport: TransportUnderTest;
  let service: ServiceDb;
  let bus: EventBus;
  const children: ConsumerProcess[] = [];

  beforeAll(async () => {
    [transport, service] = await Promise.all([openTransport(name), createServiceDb()]);
    bus = await createTestBus(transport.config);
  });

  afterAll(async () => {
    for (const { child } of children) child.kill('SIGKILL');
    await bus?.close();
    await service?.close();
    await transport?.close();
  });

  it('is restarted and every event takes effect exactly once', async () => {
    const topic = uniqueName('crash');
    const base = {
      bus: transport.config,
      serviceUrl: service.url,
      schema: service.schema,
      group: uniqueName('crash_group'),
      topic,
      // Slow enough that the kill lands inside a batch; commits rare so that the
      // restarted member must see (and skip) events the killed one had applied.
      handlerDelayMs: 15,
      commitIntervalMs: 60_000,
    };
    // One key: one partition, one ordered stream, so "mid-batch" is unambiguous.
    await bus.publish(sequencedRounds(topic, ['crash-key'], TOTAL).flat());

    const first = spawnConsumer({ ...base, member: 'first' });
    children.push(first);
    await first.ready;
    await waitFor('the first member to apply some events', async () => (await count()) >= 30, {
      timeoutMs: 30_000,
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const appliedBeforeKill = await count();
    expect(appliedBeforeKill).toBeLessThan(TOTAL);

    const second = spawnConsumer({ ...base, member: 'second' });
    children.push(second);
    await second.ready;
    await waitFor('every event to take effect', async () => (await count()) >= TOTAL, {
      timeoutMs: 40_000,
      describe: () => ({ stderr: second.stderr() }),
    });
    // Let redeliveries still in flight arrive before counting effects.
    await waitFor('the second member to report redeliveries', () => second.duplicates() > 0);

    const rows = await service.projection();
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(TOTAL);
    expect(rows.map((r) => r.seq)).toEqual(range(TOTAL));
    expect(rows.filter((r) => r.member === 'first').length).toBe(appliedBeforeKill);
    second.child.kill('SIGTERM');
    await second.exited;
  });

  async function count(): Promise<number> {
    const { rows } = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM projection',
    );
    return rows[0]?.n ?? 0;
  }
});
