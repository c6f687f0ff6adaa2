import { DATA_CONTENT_TYPE, newEventId, type CloudEvent, type OutgoingEvent } from '@nes/bus';
import { eventDefinition, isEventType, telemetryV1, topics } from '@nes/proto';

/**
 * The events of this service, all on nes.audit.v1 (the analysts' topic)
 * through the transactional outbox:
 * - `nes.audit.telemetry.v1`: device telemetry, keyed by host id (the
 *   registered Android id; the client id when there is none);
 * - every audited event of the other services (registration now; taps,
 *   credentials, directory as they arrive), republished unchanged — same id,
 *   type, source, subject, time, key and `data` as received, so that fields
 *   newer than this build survive and a consumer that reads both topics can
 *   de-duplicate on the CloudEvents id.
 */

/** CloudEvents `source` of the events this service produces itself. */
export const EVENT_SOURCE = 'nes/telemetry';

const TELEMETRY_TYPE = 'nes.audit.telemetry.v1';

/**
 * The outbox event of one device telemetry event. The ingest path's own
 * producer: `produce()` re-checks every payload with a conforming proto3
 * JSON parser, which costs ~150 µs an event — the whole budget at 20,000
 * events/s. Here the payload is built by `toTelemetryEvent` from validated
 * fields only, so ts-proto's writer suffices; a unit test keeps its output
 * equal to what the strict `toEventData` produces, and `enqueue` still
 * validates every envelope.
 */
export function telemetryEvent(
  payload: telemetryV1.TelemetryEvent,
  traceparent: string | undefined,
): OutgoingEvent {
  const key = payload.hostId !== '' ? payload.hostId : payload.clientId;
  const event: CloudEvent = {
    specversion: '1.0',
    id: newEventId(),
    source: EVENT_SOURCE,
    type: TELEMETRY_TYPE,
    subject: key,
    time: (payload.eventTime ?? payload.receivedAt ?? new Date()).toISOString(),
    datacontenttype: DATA_CONTENT_TYPE,
    partitionkey: key,
    ...(traceparent === undefined ? {} : { traceparent }),
    data: telemetryV1.TelemetryEvent.toJSON(payload),
  };
  return { topic: topics.audit, event };
}

/** Whether analysts find `type` on nes.audit.v1 (the catalog's `audited` flag). */
export function isAudited(type: string): boolean {
  return isEventType(type) && eventDefinition(type).audited;
}

/** A received server-side event, addressed to nes.audit.v1 and otherwise unchanged. */
export function republication(event: CloudEvent): OutgoingEvent {
  const { dlqreason: _r, dlqattempts: _a, dlqgroup: _g, dlqtopic: _t, ...envelope } = event;
  return { topic: topics.audit, event: envelope };
}
