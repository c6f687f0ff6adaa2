import pino from 'pino';
import { describe, expect, it } from 'vitest';

import type { EventHandler } from './event-bus.js';
import { resolveKafkaOptions } from './kafka/kafka-options.js';
import { resolvePostgresBusOptions } from './postgres/pg-bus-options.js';
import { busReadinessCheck } from './readiness-check.js';
import { validateSubscription } from './subscription-checks.js';

const logger = pino({ level: 'silent' });
const handler: EventHandler = () => Promise.resolve();

describe('resolveKafkaOptions', () => {
  it('applies production defaults', () => {
    const options = resolveKafkaOptions({ brokers: ['k:9092'], clientId: 'svc', logger });
    expect(options).toMatchObject({
      idempotent: true,
      consumer: { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3000, maxWaitTimeMs: 500 },
      clientRetry: { retries: 5 },
      retry: { maxAttempts: 5 },
    });
  });

  it('rejects settings that cannot work', () => {
    expect(() => resolveKafkaOptions({ brokers: [], clientId: 'svc', logger })).toThrow(/brokers/);
    expect(() =>
      resolveKafkaOptions({
        brokers: ['k:9092'],
        clientId: 'svc',
        logger,
        consumer: { sessionTimeoutMs: 1000, heartbeatIntervalMs: 1000 },
      }),
    ).toThrow(/heartbeatIntervalMs/);
  });
});

describe('resolvePostgresBusOptions', () => {
  const base = { connectionString: 'postgres://x/y', logger };

  it('applies defaults and keeps overrides', () => {
    const options = resolvePostgresBusOptions({ ...base, partitions: 16, schema: undefined });
    expect(options).toMatchObject({ schema: 'nes_bus', partitions: 16, sessionTimeoutMs: 10_000 });
  });

  it.each([
    [{ partitions: 0 }, /partitions/],
    [{ partitions: 5000 }, /partitions/],
    [{ batchSize: 1.5 }, /batchSize/],
    [{ heartbeatIntervalMs: 6000 }, /heartbeatIntervalMs/],
    [{ schema: 'Bus; DROP' }, /schema/],
    [
      { retry: { maxAttempts: 0, backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } } },
      /maxAttempts/,
    ],
  ])('rejects %o', (patch, message) => {
    expect(() => resolvePostgresBusOptions({ ...base, ...patch })).toThrow(message);
  });
});

describe('validateSubscription', () => {
  it('accepts a sane subscription', () => {
    expect(() =>
      validateSubscription({ group: 'g', topics: ['nes.tap.v1'], handler }),
    ).not.toThrow();
  });

  it.each([
    [{ group: ' ', topics: ['t'] }, /group/],
    [{ group: 'g', topics: [] }, /topics/],
    [{ group: 'g', topics: ['bad topic'] }, /not a valid topic/],
  ])('rejects %o', (patch, message) => {
    expect(() => validateSubscription({ handler, ...patch })).toThrow(message);
  });
});

describe('busReadinessCheck', () => {
  it('resolves when ready and throws the details otherwise', async () => {
    const ready = busReadinessCheck({
      readiness: () => Promise.resolve({ ready: true, details: {} }),
    });
    await expect(ready()).resolves.toBeUndefined();
    const down = busReadinessCheck({
      readiness: () =>
        Promise.resolve({ ready: false, details: { database: 'unreachable: refused' } }),
    });
    await expect(down()).rejects.toThrow('event bus not ready (database: unreachable: refused)');
  });
});
