/**
 * The NES event envelope: CloudEvents 1.0 in structured JSON mode.
 *
 * Every event on every topic is one of these, whichever transport carries it.
 * `data` is the payload in proto3 JSON (see `@nes/proto`), `partitionkey` is
 * the CloudEvents partitioning extension and equals the transport key.
 */

/** Media type of a structured-mode CloudEvent (the Kafka `content-type` header). */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** Media type of `data`: always proto3 JSON. */
export const DATA_CONTENT_TYPE = 'application/json';

/** Largest encoded envelope the bus accepts, in bytes, unless configured otherwise. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

/** Value of a CloudEvents extension attribute in JSON format. */
export type ExtensionValue = string | number | boolean;

/** A CloudEvents 1.0 envelope as NES writes and reads it. */
export interface CloudEvent<TData = unknown> {
  readonly specversion: '1.0';
  /** UUIDv7, unique per event; consumers de-duplicate on it. */
  readonly id: string;
  /** The producing service, e.g. `nes/registration`. */
  readonly source: string;
  /** Versioned event type, e.g. `nes.client.created.v1`. */
  readonly type: string;
  /** What the event is about, e.g. `client/7f0c…`. */
  readonly subject?: string;
  /** RFC 3339 timestamp of the occurrence. */
  readonly time: string;
  readonly datacontenttype: typeof DATA_CONTENT_TYPE;
  /** W3C trace context of the operation that produced the event. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Partitioning extension: the ordering key (equals the transport key). */
  readonly partitionkey: string;
  /** Dead-letter extensions, present only on events in a `<topic>.dlq` topic. */
  readonly dlqreason?: string;
  readonly dlqattempts?: number;
  readonly dlqgroup?: string;
  readonly dlqtopic?: string;
  readonly data: TData;
  /** Further extension attributes (lower-case alphanumeric names). */
  readonly [extension: string]: ExtensionValue | TData | undefined;
}

/** An event addressed to a topic: what `publish` and `enqueue` take. */
export interface OutgoingEvent<TData = unknown> {
  readonly topic: string;
  readonly event: CloudEvent<TData>;
}

/**
 * An envelope validated and serialised already — an outbox row, checked when
 * it was enqueued: transports send `value` as it is, without parsing it again.
 */
export interface EncodedEvent {
  readonly topic: string;
  /** The envelope's `partitionkey`. */
  readonly key: string;
  /** The CloudEvents JSON text. */
  readonly value: string;
}

/** Name of the dead-letter topic for `topic`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Serialises an envelope for the wire (UTF-8 JSON, structured mode). */
export function encodeEvent(event: CloudEvent): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}
