import {
  eventDefinition,
  eventKey,
  eventTypes,
  parseEventData,
  toEventData,
  type EventPayload,
  type EventType,
} from '@nes/proto';

import type { CatalogEntry, EventCatalog } from './envelope/catalog.js';
import type { CloudEvent, OutgoingEvent } from './envelope/cloud-event.js';
import { createEvent, type EventOptions } from './envelope/create-event.js';

/**
 * NES' own events, typed by the `@nes/proto` catalog: the one way services
 * should build and read them. Producing checks the payload strictly (proto3
 * JSON, non-empty key) so a producer bug fails the producing transaction.
 */
export function nesEvent<T extends EventType>(
  type: T,
  payload: EventPayload<T>,
  options: EventOptions,
): OutgoingEvent {
  return createEvent({
    ...options,
    topic: eventDefinition(type).topic,
    type,
    key: eventKey(type, payload),
    data: toEventData(type, payload),
  });
}

/** A service's producer of NES events: `produce('nes.client.created.v1', payload)`. */
export type NesEventProducer = <T extends EventType>(
  type: T,
  payload: EventPayload<T>,
  options?: Omit<EventOptions, 'source'>,
) => OutgoingEvent;

/** Binds {@link nesEvent} to the producing service, e.g. `nes/registration`. */
export function nesEventProducer(source: string): NesEventProducer {
  return (type, payload, options) => nesEvent(type, payload, { ...options, source });
}

/**
 * The catalog for `subscribe({ catalog: nesCatalog })`: unknown types and
 * data that is not valid proto3 JSON of the type's message are
 * dead-lettered before the handler sees them. Reading is tolerant of fields
 * a newer producer added.
 */
export const nesCatalog: EventCatalog = Object.freeze(
  Object.fromEntries(
    eventTypes.map((type): [string, CatalogEntry<unknown>] => {
      const definition = eventDefinition(type);
      return [
        type,
        {
          topic: definition.topic,
          codec: {
            fromJSON: (json) => parseEventData(type, json),
            toJSON: (value) => toEventData(type, value as EventPayload<typeof type>),
          },
          key: (payload) => eventKey(type, payload as EventPayload<typeof type>),
        },
      ];
    }),
  ),
);

/**
 * The payload of a received event if it is of `type`, else undefined: the
 * typed way into `event.data` inside a handler.
 *
 * @throws {EventDataError} when the data is not valid for `type` (a consumer
 * subscribed with {@link nesCatalog} never sees such events).
 */
export function nesPayload<T extends EventType>(
  event: CloudEvent,
  type: T,
): EventPayload<T> | undefined {
  return event.type === type ? parseEventData(type, event.data) : undefined;
}
