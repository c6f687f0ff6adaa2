import kafkajs from 'kafkajs';

import type { EncodedEvent, OutgoingEvent } from '../envelope/cloud-event.js';
import type { EventBus, Readiness, SubscribeOptions, Subscription } from '../event-bus.js';
import { pinoLogCreator } from './kafka-log.js';
import { kafkaRetry, resolveKafkaOptions, type KafkaBusOptions } from './kafka-options.js';
import { KafkaPublisher } from './kafka-publisher.js';
import { KafkaSubscription } from './kafka-subscription.js';
import { validateSubscription, withTimeout } from '../subscription-checks.js';

const { Kafka, logLevel } = kafkajs;

/** Bounds the readiness probe: /readyz must answer even when the cluster hangs. */
const READINESS_TIMEOUT_MS = 3000;

/**
 * The Kafka event bus (deployments with a Kafka cluster). Value = the
 * structured CloudEvent, key = its `partitionkey`, header `content-type:
 * application/cloudevents+json`; dead letters go to `<topic>.dlq`.
 */
export function createKafkaBus(input: KafkaBusOptions): EventBus {
  const options = resolveKafkaOptions(input);
  const logger = options.logger.child({ subsystem: 'bus', transport: 'kafka' });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: kafkaRetry(options.clientRetry),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
  });
  const publisher = new KafkaPublisher(kafka, options, logger);
  const subscriptions = new Set<KafkaSubscription>();
  let closed = false;

  return {
    async publish(events: readonly OutgoingEvent[]): Promise<void> {
      if (closed) throw new Error('event bus is closed');
      await publisher.publish(events);
    },

    async publishEncoded(events: readonly EncodedEvent[]): Promise<void> {
      if (closed) throw new Error('event bus is closed');
      await publisher.publishEncoded(events);
    },

    async subscribe(subscribe: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new Error('event bus is closed');
      validateSubscription(subscribe);
      const subscription = new KafkaSubscription(kafka, publisher, subscribe, options, logger);
      try {
        await subscription.start();
      } catch (error) {
        await subscription.close().catch(() => undefined);
        throw error;
      }
      subscriptions.add(subscription);
      return {
        close: async () => {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },

    async readiness(): Promise<Readiness> {
      const details: Record<string, string> = {};
      for (const subscription of subscriptions) {
        const failure = subscription.failure();
        if (failure !== undefined) details.consumer = `stopped: ${failure}`;
      }
      try {
        await withTimeout(publisher.ping(), READINESS_TIMEOUT_MS, 'kafka');
        details.cluster = 'reachable';
      } catch (error) {
        details.cluster = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
        return { ready: false, details };
      }
      return { ready: details.consumer === undefined, details };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...subscriptions].map((s) => s.close()));
      subscriptions.clear();
      await publisher.close();
    },
  };
}
