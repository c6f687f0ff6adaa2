import { Kafka, logLevel, type Consumer, type EachMessageHandler, type Producer } from 'kafkajs';

/**
 * kafkajs tuned for tests against the mock: short fetch waits and session
 * timeouts. The mock's coordinator holds a rebalance of a non-empty group for
 * sessionTimeout - 1 s, so kafkajs' default (30 s) would stall every join.
 */
export function testKafka(brokers: string[], clientId = 'nes-testing'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** An idempotent producer (acks all, one request in flight), connected. */
export async function idempotentProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

/** A consumer in `groupId`, connected, with test-friendly timings. */
export async function testConsumer(kafka: Kafka, groupId: string): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 3000,
    heartbeatInterval: 300,
    rebalanceTimeout: 3000,
  });
  await consumer.connect();
  return consumer;
}

/** An eachMessage handler that records message values in `into`. */
export function collectValues(into: string[]): EachMessageHandler {
  return ({ message }) => {
    into.push(message.value?.toString() ?? '');
    return Promise.resolve();
  };
}

/**
 * Resolves once `condition` holds, polling every 20 ms; rejects after
 * `timeoutMs`, describing the state at that moment when `what` is a function.
 */
export async function eventually(
  condition: () => boolean,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `count` keyed messages `prefix-0` … with keys spread over partitions. */
export function messages(prefix: string, count: number): { key: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${i % 17}`,
    value: `${prefix}-${i}`,
  }));
}
