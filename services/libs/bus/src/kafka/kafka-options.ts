import type { ConnectionOptions } from 'node:tls';

import type { RetryOptions, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';

import { DEFAULT_HANDLER_BACKOFF } from '../backoff.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../envelope/cloud-event.js';
import type { RetryPolicy } from '../event-bus.js';

/** Consumer group timing. Production defaults are kafkajs'/Kafka's; tests shorten them. */
export interface KafkaConsumerTiming {
  /** A member that sends no heartbeat for this long is removed from the group. Default 30 000. */
  readonly sessionTimeoutMs?: number;
  /** Default 3000 (a third of the session timeout is the usual ratio). */
  readonly heartbeatIntervalMs?: number;
  /** How long the coordinator waits for members to rejoin during a rebalance. Default 60 000. */
  readonly rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for data: bounds consume latency on idle topics. Default 500. */
  readonly maxWaitTimeMs?: number;
  /** Resolved offsets are committed at least this often (and after every batch). Default 1000. */
  readonly commitIntervalMs?: number;
  /** Partitions a member processes in parallel (order holds within each). Default 1. */
  readonly partitionsConsumedConcurrently?: number;
}

/** Retries of single Kafka requests inside kafkajs (exponential between the two bounds). */
export interface KafkaClientRetry {
  readonly retries?: number;
  readonly initialRetryTimeMs?: number;
  readonly maxRetryTimeMs?: number;
}

/** Configuration of the Kafka event bus. */
export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  /** Reported to the brokers; usually the service name. */
  readonly clientId: string;
  readonly logger: Logger;
  readonly ssl?: ConnectionOptions | boolean;
  readonly sasl?: SASLOptions;
  /**
   * Idempotent producer (default true): broker-side de-duplication of retried
   * sends, so a retry cannot duplicate or reorder a partition's records.
   */
  readonly idempotent?: boolean;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * kafkajs' retries of a failed request (connect, metadata, send). Bounded on
   * purpose: kafkajs would retry an idempotent producer's send forever, and a
   * send that never fails cannot be reported, backed off or shut down.
   */
  readonly clientRetry?: KafkaClientRetry;
  readonly consumer?: KafkaConsumerTiming;
  /** Handler retry policy when a subscription sets none. */
  readonly retry?: RetryPolicy;
  readonly maxEventBytes?: number;
  /** Used when the bus creates a topic (brokers that allow it). -1 = broker default. */
  readonly topicPartitions?: number;
  readonly topicReplicationFactor?: number;
}

/** {@link KafkaBusOptions} with every default applied. */
export interface ResolvedKafkaOptions extends KafkaBusOptions {
  readonly idempotent: boolean;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly clientRetry: Required<KafkaClientRetry>;
  readonly consumer: Required<KafkaConsumerTiming>;
  readonly retry: RetryPolicy;
  readonly maxEventBytes: number;
  readonly topicPartitions: number;
  readonly topicReplicationFactor: number;
}

/** Applies defaults and rejects inconsistent settings with a message naming the field. */
export function resolveKafkaOptions(options: KafkaBusOptions): ResolvedKafkaOptions {
  if (options.brokers.length === 0) throw new RangeError('kafka: brokers must not be empty');
  const consumer: Required<KafkaConsumerTiming> = {
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 60_000,
    maxWaitTimeMs: 500,
    commitIntervalMs: 1000,
    partitionsConsumedConcurrently: 1,
    ...options.consumer,
  };
  if (consumer.heartbeatIntervalMs >= consumer.sessionTimeoutMs) {
    throw new RangeError('kafka: consumer.heartbeatIntervalMs must be below sessionTimeoutMs');
  }
  const retry = options.retry ?? { maxAttempts: 5, backoff: DEFAULT_HANDLER_BACKOFF };
  if (!(retry.maxAttempts >= 1)) throw new RangeError('kafka: retry.maxAttempts must be ≥ 1');
  return {
    ...options,
    idempotent: options.idempotent ?? true,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    clientRetry: {
      retries: 5,
      initialRetryTimeMs: 300,
      maxRetryTimeMs: 10_000,
      ...options.clientRetry,
    },
    consumer,
    retry,
    maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    topicPartitions: options.topicPartitions ?? -1,
    topicReplicationFactor: options.topicReplicationFactor ?? -1,
  };
}

/** kafkajs' spelling of {@link KafkaClientRetry}. */
export function kafkaRetry(retry: Required<KafkaClientRetry>): RetryOptions {
  return {
    retries: retry.retries,
    initialRetryTime: retry.initialRetryTimeMs,
    maxRetryTime: retry.maxRetryTimeMs,
  };
}
