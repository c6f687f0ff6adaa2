import type { EventCatalog } from '../envelope/catalog.js';
import { deadLetterTopic, type CloudEvent, type OutgoingEvent } from '../envelope/cloud-event.js';
import { createEvent } from '../envelope/create-event.js';

/** CloudEvents type of the wrapper around bytes that were not a usable envelope. */
export const INVALID_ENVELOPE_TYPE = 'nes.bus.invalid-envelope.v1';

/** Longest reason kept on a dead letter; error messages can be arbitrarily long. */
const MAX_REASON_CHARS = 1000;

/** A record as it came off a transport, before parsing. */
export interface TransportRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
}

/** Why and by whom an event was dead-lettered. */
export interface DeadLetterInfo {
  readonly group: string;
  readonly reason: string;
  readonly attempts: number;
}

/**
 * The dead letter of a valid envelope: the original event, unchanged (same
 * id, type and data, so it can be replayed onto its topic as is), plus the
 * `dlq*` extensions.
 */
export function deadLetterOf(
  topic: string,
  event: CloudEvent,
  info: DeadLetterInfo,
): OutgoingEvent {
  return {
    topic: deadLetterTopic(topic),
    event: {
      ...event,
      dlqreason: truncate(info.reason),
      dlqattempts: info.attempts,
      dlqgroup: info.group,
      dlqtopic: topic,
    },
  };
}

/**
 * The dead letter of bytes that are not a valid envelope: a new event of type
 * {@link INVALID_ENVELOPE_TYPE} whose data preserves the original record
 * (value base64-encoded, cut at `maxValueBytes` so the dead letter itself
 * stays within the size bound).
 */
export function invalidEnvelopeDeadLetter(
  record: TransportRecord,
  info: DeadLetterInfo,
  maxValueBytes: number,
): OutgoingEvent {
  const value = record.value ?? Buffer.alloc(0);
  const kept = value.subarray(0, Math.max(0, maxValueBytes));
  const key = record.key !== null && record.key !== '' ? record.key : `${record.partition}`;
  const { topic, event } = createEvent({
    topic: deadLetterTopic(record.topic),
    type: INVALID_ENVELOPE_TYPE,
    source: 'nes/bus',
    key: key.slice(0, 256),
    subject: `${record.topic}/${record.partition}/${record.offset}`,
    data: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      value: kept.toString('base64'),
      valueBytes: value.length,
      truncated: kept.length < value.length,
    },
  });
  return {
    topic,
    event: {
      ...event,
      dlqreason: truncate(info.reason),
      dlqattempts: info.attempts,
      dlqgroup: info.group,
      dlqtopic: record.topic,
    },
  };
}

/**
 * `event`'s payload as `catalog`'s codec reads it, or why the catalog refuses
 * the event, as a dead letter's reason: `unknown-type: <type>` or
 * `invalid-data: <codec message>`.
 */
export function catalogRead(
  catalog: EventCatalog,
  event: CloudEvent,
): { readonly payload: unknown } | { readonly rejection: string } {
  const entry = Object.hasOwn(catalog, event.type) ? catalog[event.type] : undefined;
  if (entry === undefined) return { rejection: `unknown-type: ${event.type}` };
  // No check of entry.topic: republishing topics (nes.audit.v1) legitimately
  // carry types whose home topic is another one.
  try {
    return { payload: entry.codec.fromJSON(event.data) };
  } catch (error) {
    return { rejection: `invalid-data: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Why `catalog` refuses `event` ({@link catalogRead}), or undefined if it accepts it. */
export function catalogRejection(catalog: EventCatalog, event: CloudEvent): string | undefined {
  const read = catalogRead(catalog, event);
  return 'rejection' in read ? read.rejection : undefined;
}

function truncate(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}
