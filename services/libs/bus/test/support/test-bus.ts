import pino, { type Logger } from 'pino';

import {
  createKafkaBus,
  createPostgresBus,
  OutboxRelay,
  type EventBus,
  type OutboxRelayOptions,
  type RetryPolicy,
} from '../../src/index.js';

/** How a test (or a child process of it) reaches the transport under test. */
export type BusConfig =
  | { readonly transport: 'kafka'; readonly brokers: readonly string[] }
  | { readonly transport: 'postgres'; readonly connectionString: string };

/** Handler retries fast enough for tests: 3 tries, a few ms apart. */
export const TEST_RETRY: RetryPolicy = {
  maxAttempts: 3,
  backoff: { initialMs: 10, maxMs: 50, multiplier: 2, jitter: 0 },
};

/** Partitions of every test topic, on both transports. */
export const TEST_PARTITIONS = 4;

const OUTAGE_BACKOFF = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.2 };

/** Logs are off unless a test asks for them (pass `pino({ level: 'debug' })` when debugging). */
export const quietLogger: Logger = pino({ level: 'silent' });

/**
 * A bus with test timings (INFRA.md: short fetch waits and session timeouts,
 * or a fresh group takes seconds to see its first event). Production
 * defaults stay untouched; only these knobs differ.
 */
export function createTestBus(
  config: BusConfig,
  options: { logger?: Logger; retry?: RetryPolicy; commitIntervalMs?: number } = {},
): Promise<EventBus> {
  const logger = options.logger ?? quietLogger;
  const retry = options.retry ?? TEST_RETRY;
  const commitIntervalMs = options.commitIntervalMs ?? 200;
  if (config.transport === 'kafka') {
    return Promise.resolve(
      createKafkaBus({
        brokers: config.brokers,
        clientId: 'nes-bus-test',
        logger,
        retry,
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 5000,
        clientRetry: { retries: 3, initialRetryTimeMs: 100, maxRetryTimeMs: 1000 },
        consumer: {
          sessionTimeoutMs: 3000,
          heartbeatIntervalMs: 300,
          rebalanceTimeoutMs: 5000,
          maxWaitTimeMs: 100,
          commitIntervalMs,
        },
      }),
    );
  }
  return createPostgresBus({
    connectionString: config.connectionString,
    logger,
    retry,
    partitions: TEST_PARTITIONS,
    pollIntervalMs: 200,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 300,
    commitIntervalMs,
    connectionTimeoutMs: 2000,
    outageBackoff: OUTAGE_BACKOFF,
  });
}

/** Relay timings for tests: quick polls and quick recovery after an outage. */
export const TEST_RELAY = { pollIntervalMs: 200, backoff: OUTAGE_BACKOFF } as const;

/** The relay of a test service's outbox, quiet and with test timings; `options` override. */
export function testRelay(
  service: Pick<OutboxRelayOptions, 'pool' | 'schema'>,
  bus: OutboxRelayOptions['bus'],
  options: Partial<OutboxRelayOptions> = {},
): OutboxRelay {
  return new OutboxRelay({
    pool: service.pool,
    schema: service.schema,
    bus,
    logger: quietLogger,
    ...TEST_RELAY,
    ...options,
  });
}
