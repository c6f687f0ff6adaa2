/**
 * @nes/bus — NES' event bus: CloudEvents envelopes, the transactional
 * outbox and its relay, idempotent consumers with dead letters, over Kafka or
 * over Postgres. See README.md for the guarantees.
 */
export {
  CLOUDEVENTS_CONTENT_TYPE,
  DATA_CONTENT_TYPE,
  DEFAULT_MAX_EVENT_BYTES,
  deadLetterTopic,
  encodeEvent,
  type CloudEvent,
  type EncodedEvent,
  type ExtensionValue,
  type OutgoingEvent,
} from './envelope/cloud-event.js';
export type { CatalogEntry, EventCatalog, PayloadCodec, PayloadOf } from './envelope/catalog.js';
export {
  createCatalogEvent,
  createEvent,
  eventFactory,
  type EventFactory,
  type EventOptions,
  type RawEventInput,
} from './envelope/create-event.js';
export { newEventId } from './envelope/event-id.js';
export {
  assertValidEvent,
  InvalidEventError,
  parseEvent,
  type ParseResult,
} from './envelope/parse-event.js';
export {
  backoffDelay,
  DEFAULT_HANDLER_BACKOFF,
  DEFAULT_OUTAGE_BACKOFF,
  type BackoffPolicy,
} from './backoff.js';
export { sleep, sleepKeepingAlive } from './sleep.js';
export type {
  DeliveryContext,
  EventBus,
  EventHandler,
  Readiness,
  RetryPolicy,
  SubscribeOptions,
  Subscription,
} from './event-bus.js';
export type { ConnectionPool, PooledConnection, Queryable } from './db/queryable.js';
export {
  idempotentHandler,
  type IdempotentHandlerOptions,
  type TransactionalHandler,
} from './consumer/idempotent-handler.js';
export {
  catalogRead,
  catalogRejection,
  deadLetterOf,
  INVALID_ENVELOPE_TYPE,
  invalidEnvelopeDeadLetter,
  type DeadLetterInfo,
  type TransportRecord,
} from './consumer/dead-letter.js';
export { enqueue, OUTBOX_MIGRATIONS_DIR } from './outbox/enqueue.js';
export {
  OutboxRelay,
  type OutboxRelayOptions,
  type RelayMetrics,
  type RelayStatus,
} from './outbox/outbox-relay.js';
export { outboxRelayMetrics, type OutboxRelayMetricsOptions } from './outbox/relay-metrics.js';
export { createKafkaBus } from './kafka/kafka-bus.js';
export type {
  KafkaBusOptions,
  KafkaClientRetry,
  KafkaConsumerTiming,
} from './kafka/kafka-options.js';
export { createPostgresBus } from './postgres/pg-bus.js';
export type { PostgresBusOptions } from './postgres/pg-bus-options.js';
export {
  nesCatalog,
  nesEvent,
  nesEventProducer,
  nesPayload,
  type NesEventProducer,
} from './nes-events.js';
export { busReadinessCheck } from './readiness-check.js';
