import { fromJson, type JsonObject, type JsonValue } from '@bufbuild/protobuf';

import { messageDescriptor } from './descriptor-registry.js';
import { eventDefinition, type EventPayload, type EventType } from './events.js';

/** Longest reason an EventDataError carries, so that a hostile payload cannot inflate logs. */
const MAX_REASON_LENGTH = 500;

/**
 * An event payload that is not valid for its type: not proto3 JSON of the
 * type's message (unknown field, wrong JSON type, unknown enum name, bad
 * timestamp, …), or missing the field its partition key comes from. Consumers
 * dead-letter such events; producers have a bug.
 */
export class EventDataError extends Error {
  /** Stable code for logs, metrics and dead-letter reasons. */
  readonly code = 'EVENT_DATA_INVALID';
  /** The CloudEvents type the data was checked against. */
  readonly eventType: string;

  constructor(eventType: string, reason: string, options?: ErrorOptions) {
    const bounded =
      reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
    super(`invalid ${eventType} data: ${bounded}`, options);
    this.name = 'EventDataError';
    this.eventType = eventType;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks `data` against the payload message of `type` with a conforming
 * proto3 JSON parser. ts-proto's `fromJSON` is deliberately lenient (it
 * coerces wrong types and invalid times), so it cannot be the validator.
 *
 * `tolerant` is for readers: fields and enum names this build does not know
 * yet are ignored, so that adding them to a payload (a compatible change)
 * never makes an older consumer reject the event. Writers are checked
 * strictly.
 */
function assertProtoJson(type: EventType, data: unknown, tolerant: boolean): void {
  const definition = eventDefinition(type);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EventDataError(type, 'must be a JSON object');
  }
  try {
    // The parser inspects the value itself and rejects anything that is not
    // JSON-shaped, so the unchecked JsonValue view is safe here.
    fromJson(messageDescriptor(definition.codec.$type), data as JsonValue, {
      ignoreUnknownFields: tolerant,
    });
  } catch (error) {
    throw new EventDataError(type, describe(error), { cause: error });
  }
}

function assertKey<T extends EventType>(type: T, payload: EventPayload<T>): string {
  const key = eventDefinition(type).key(payload);
  if (key === '') {
    throw new EventDataError(type, 'the field its partition key comes from is empty');
  }
  return key;
}

/**
 * Serializes a payload as CloudEvents `data` (proto3 JSON) after checking it,
 * so that a producer bug fails at the producer rather than at every consumer.
 *
 * @throws {EventDataError} when the payload does not make valid data for `type`.
 */
export function toEventData<T extends EventType>(type: T, payload: EventPayload<T>): JsonObject {
  let data: unknown;
  try {
    data = eventDefinition(type).codec.toJSON(payload);
  } catch (error) {
    // e.g. an Invalid Date, which has no ISO form.
    throw new EventDataError(type, describe(error), { cause: error });
  }
  assertProtoJson(type, data, false);
  assertKey(type, payload);
  return data as JsonObject;
}

/**
 * Reads CloudEvents `data` as the payload of `type`. A known field with the
 * wrong JSON type, an invalid timestamp or int64, or a payload without its
 * key is refused; fields and enum names from a newer producer are ignored
 * (unknown enum values read as `UNRECOGNIZED`). Accepts both lowerCamelCase
 * and proto field names.
 *
 * @throws {EventDataError} when `data` is not valid for `type`.
 */
export function parseEventData<T extends EventType>(type: T, data: unknown): EventPayload<T> {
  assertProtoJson(type, data, true);
  const payload = eventDefinition(type).codec.fromJSON(data);
  assertKey(type, payload);
  return payload;
}

/**
 * The partition key of a payload.
 *
 * @throws {EventDataError} when the payload lacks its key field.
 */
export function eventKey<T extends EventType>(type: T, payload: EventPayload<T>): string {
  return assertKey(type, payload);
}
