import type { BackoffPolicy } from './backoff.js';
import type { EventCatalog } from './envelope/catalog.js';
import type { CloudEvent, EncodedEvent, OutgoingEvent } from './envelope/cloud-event.js';

/** Where a delivered event came from, and how often it has been tried. */
export interface DeliveryContext {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** Transport offset as a decimal string (Kafka offsets exceed 2^53 in theory). */
  readonly offset: string;
  /** 1 for the first try, incremented per retry. */
  readonly attempt: number;
  /** Aborted when the consumer is closing or loses the partition; long handlers should stop. */
  readonly signal: AbortSignal;
}

/**
 * Handles one event. Throwing means "retry"; after the retry policy is
 * exhausted the event goes to the dead-letter topic and the partition moves on.
 */
export type EventHandler = (event: CloudEvent, context: DeliveryContext) => Promise<void>;

/** How often and how patiently a failing handler is retried. */
export interface RetryPolicy {
  /** Total tries including the first (≥ 1). */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

/** A consumer group member's subscription. */
export interface SubscribeOptions {
  /** Consumer group: members of one group share the partitions of the topics. */
  readonly group: string;
  readonly topics: readonly string[];
  readonly handler: EventHandler;
  /**
   * When given, events whose `type` is not in the catalog, or whose `data` the
   * catalog's codec rejects (throws), are dead-lettered at once. Pass
   * `nesCatalog` for NES' own events (strict proto3 JSON checks).
   */
  readonly catalog?: EventCatalog;
  /** Defaults to the bus' retry policy. */
  readonly retry?: RetryPolicy;
  /** A new group starts at the oldest retained event (default) or at the end. */
  readonly fromBeginning?: boolean;
}

/** A running subscription. */
export interface Subscription {
  /** Stops fetching, lets in-flight handlers finish, commits offsets, leaves the group. */
  close(): Promise<void>;
}

/** Readiness of a bus for `/readyz`: never throws, reports why when not ready. */
export interface Readiness {
  readonly ready: boolean;
  readonly details: Readonly<Record<string, string>>;
}

/** The transport-neutral event bus (Kafka or Postgres). */
export interface EventBus {
  /**
   * Publishes events, at least once: resolves when the transport has durably
   * accepted every event (Kafka: acks from all in-sync replicas; Postgres:
   * committed). Events with the same topic and key keep their relative order.
   */
  publish(events: readonly OutgoingEvent[]): Promise<void>;
  /**
   * {@link publish} for envelopes validated and serialised already (the outbox
   * relay's rows), sent as they are: the relay's hot path skips a parse, a
   * validation and a serialisation per event.
   */
  publishEncoded(events: readonly EncodedEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Checks connectivity and that subscriptions are running. */
  readiness(): Promise<Readiness>;
  /** Closes subscriptions (draining them), then the connections. Idempotent. */
  close(): Promise<void>;
}
