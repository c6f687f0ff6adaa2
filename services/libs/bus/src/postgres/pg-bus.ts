import pg from 'pg';

import {
  CLOUDEVENTS_CONTENT_TYPE,
  type EncodedEvent,
  type OutgoingEvent,
} from '../envelope/cloud-event.js';
import { assertValidEvent } from '../envelope/parse-event.js';
import type { EventBus, Readiness, SubscribeOptions, Subscription } from '../event-bus.js';
import { validateSubscription, withTimeout } from '../subscription-checks.js';
import { migrateBusSchema } from './pg-bus-schema.js';
import { resolvePostgresBusOptions, type PostgresBusOptions } from './pg-bus-options.js';
import { GroupStore } from './pg-group-store.js';
import { BusListener } from './pg-listener.js';
import { LogStore } from './pg-log-store.js';
import { PostgresSubscription } from './pg-subscription.js';

/** How often some bus process deletes records past their retention. */
const PRUNE_INTERVAL_MS = 5 * 60_000;
const READINESS_TIMEOUT_MS = 3000;

/**
 * The Postgres-backed event bus: Kafka's model (partitioned topics, consumer
 * groups with per-partition positions) on tables in a schema the bus owns,
 * with LISTEN/NOTIFY for low latency. For single-machine deployments, where
 * running Kafka would be the largest part of the system. Same semantics as
 * the Kafka bus; the contract suite runs against both.
 *
 * Migrates its schema before resolving, so it fails fast on a bad database.
 */
export async function createPostgresBus(input: PostgresBusOptions): Promise<EventBus> {
  const options = resolvePostgresBusOptions(input);
  const logger = options.logger.child({ subsystem: 'bus', transport: 'postgres' });
  const clientConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    // As kit's pool: probes after 10 s idle (0 would keep the kernel's 2 h).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'nes-bus',
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize });
  // Idle connections die when the database restarts; without a listener that is a crash.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle bus connection failed'));
  try {
    await migrateBusSchema(pool, options.schema, logger);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const log = new LogStore(pool, options.schema, options.partitions);
  const groups = new GroupStore(options.schema);
  const subscriptions = new Set<PostgresSubscription>();
  const listener = new BusListener(
    clientConfig,
    log.channel,
    {
      onNotify: (topic) => subscriptions.forEach((s) => s.wake(topic)),
      onReconnect: () => subscriptions.forEach((s) => s.wakeAll()),
    },
    options.outageBackoff,
    logger,
  );
  await listener.start();
  const pruner = setInterval(() => {
    log.prune(options.retentionMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'pruning the bus log failed');
    });
  }, PRUNE_INTERVAL_MS);
  pruner.unref();
  let closed = false;

  // Dead letters use this directly: a subscription draining during close() may still need it.
  const append = async (events: readonly OutgoingEvent[]): Promise<void> => {
    await log.append(
      events.map(({ topic, event }) => ({
        topic,
        key: event.partitionkey,
        value: assertValidEvent(event, options.maxEventBytes),
        contentType: CLOUDEVENTS_CONTENT_TYPE,
      })),
    );
  };

  return {
    async publish(events: readonly OutgoingEvent[]): Promise<void> {
      if (closed) throw new Error('event bus is closed');
      await append(events);
    },

    async publishEncoded(events: readonly EncodedEvent[]): Promise<void> {
      if (closed) throw new Error('event bus is closed');
      await log.append(
        events.map(({ topic, key, value }) => ({
          topic,
          key,
          value: Buffer.from(value, 'utf8'),
          contentType: CLOUDEVENTS_CONTENT_TYPE,
        })),
      );
    },

    async subscribe(subscribe: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new Error('event bus is closed');
      validateSubscription(subscribe);
      const subscription = new PostgresSubscription(
        { pool, groups, log, logger },
        subscribe,
        options,
        (event) => append([event]),
      );
      subscriptions.add(subscription);
      try {
        await subscription.start();
      } catch (error) {
        subscriptions.delete(subscription);
        await subscription.close();
        throw error;
      }
      return {
        close: async () => {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },

    async readiness(): Promise<Readiness> {
      const details: Record<string, string> = {
        listener: listener.connected() ? 'connected' : 'reconnecting',
      };
      for (const subscription of subscriptions) {
        const failure = subscription.failure();
        if (failure !== undefined) details.consumer = failure;
      }
      try {
        await withTimeout(pool.query('SELECT 1'), READINESS_TIMEOUT_MS, 'bus database');
        details.database = 'reachable';
      } catch (error) {
        details.database = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
        return { ready: false, details };
      }
      // A listener that is reconnecting only costs latency (workers poll): not a readiness failure.
      return { ready: details.consumer === undefined, details };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(pruner);
      await Promise.allSettled([...subscriptions].map((s) => s.close()));
      subscriptions.clear();
      await listener.stop();
      await pool.end();
    },
  };
}
