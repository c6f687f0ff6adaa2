import { newEventId } from './event-id.js';

import type { EventCatalog, PayloadOf } from './catalog.js';
import { DATA_CONTENT_TYPE, type CloudEvent, type OutgoingEvent } from './cloud-event.js';
import { sealEvent } from './parse-event.js';

/** What a producer states about an event besides its payload. */
export interface EventOptions {
  /** The producing service, e.g. `nes/registration`. */
  readonly source: string;
  /** Defaults to the partition key. */
  readonly subject?: string;
  /** W3C traceparent of the current span, carried to consumers. */
  readonly traceparent?: string;
  /** Defaults to now. */
  readonly time?: Date;
  /** Defaults to a fresh UUIDv7. */
  readonly id?: string;
}

/** Inputs of an event built without a catalog (tests, tools, the relay). */
export interface RawEventInput extends EventOptions {
  readonly topic: string;
  readonly type: string;
  readonly key: string;
  /** Payload, already in proto3 JSON form. */
  readonly data: unknown;
}

/** Builds and validates an envelope from explicit parts; the envelope is frozen. */
export function createEvent(input: RawEventInput): OutgoingEvent {
  const event: CloudEvent = {
    specversion: '1.0',
    id: input.id ?? newEventId(),
    source: input.source,
    type: input.type,
    subject: input.subject ?? input.key,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: DATA_CONTENT_TYPE,
    partitionkey: input.key,
    ...(input.traceparent === undefined ? {} : { traceparent: input.traceparent }),
    data: input.data,
  };
  // Throws InvalidEventError; the text is kept for enqueue/publish.
  return { topic: input.topic, event: sealEvent(event) };
}

/**
 * Builds an event of catalog type `type`: the topic, key and proto3 JSON
 * encoding all come from the catalog, so a producer cannot send a payload to
 * the wrong topic or key it inconsistently.
 */
export function createCatalogEvent<C extends EventCatalog, K extends keyof C & string>(
  catalog: C,
  type: K,
  payload: PayloadOf<C, K>,
  options: EventOptions,
): OutgoingEvent {
  const entry = catalog[type];
  if (entry === undefined) throw new RangeError(`unknown event type ${type}`);
  // The catalog pairs each entry with its payload type; PayloadOf<C, K> is that type.
  const typed = entry as unknown as {
    topic: string;
    codec: { toJSON(value: PayloadOf<C, K>): unknown };
    key(payload: PayloadOf<C, K>): string;
  };
  return createEvent({
    ...options,
    topic: typed.topic,
    type,
    key: typed.key(payload),
    data: typed.codec.toJSON(payload),
  });
}

/** A producer bound to one catalog and source: `produce('nes.client.created.v1', payload)`. */
export type EventFactory<C extends EventCatalog> = <K extends keyof C & string>(
  type: K,
  payload: PayloadOf<C, K>,
  options?: Omit<EventOptions, 'source'>,
) => OutgoingEvent;

/** Binds {@link createCatalogEvent} to a catalog and a source service. */
export function eventFactory<C extends EventCatalog>(catalog: C, source: string): EventFactory<C> {
  return (type, payload, options) =>
    createCatalogEvent(catalog, type, payload, { ...options, source });
}
