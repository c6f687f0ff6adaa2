import {
  createEvent,
  deadLetterTopic,
  INVALID_ENVELOPE_TYPE,
  type CloudEvent,
  type OutgoingEvent,
} from '@nes/bus';

/**
 * Dead letters in @nes/bus' format, for the projector's batch consumer:
 * the original envelope unchanged plus `dlqreason`, `dlqattempts`,
 * `dlqgroup`, `dlqtopic`; bytes that are no envelope wrapped in an event of
 * type `nes.bus.invalid-envelope.v1`. (The bus builds the same shapes for
 * its per-event consumers; it does not export its builders.)
 */

const MAX_REASON_CHARS = 1000;

function truncate(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/** Why and by whom an event was dead-lettered. */
export interface DeadLetterInfo {
  readonly group: string;
  readonly reason: string;
  readonly attempts: number;
}

/** The dead letter of a valid envelope. */
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

/** A record as it came off the transport. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
}

/** The dead letter of bytes that are not a valid envelope (value kept, base64, cut at `maxValueBytes`). */
export function invalidEnvelopeDeadLetter(
  record: RawRecord,
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
