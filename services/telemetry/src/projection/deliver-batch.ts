import {
  backoffDelay,
  deadLetterOf,
  DEFAULT_HANDLER_BACKOFF,
  DEFAULT_OUTAGE_BACKOFF,
  invalidEnvelopeDeadLetter,
  parseEvent,
  sleepKeepingAlive,
  type BackoffPolicy,
  type CloudEvent,
  type OutgoingEvent,
  type TransportRecord,
} from '@nes/bus';
import { isTransientFailure, type Logger } from '@nes/kit';
import type { AuditEvent } from '../domain/audit-event.js';
import type { Rejection } from './read-audit-event.js';

/** Everything the batch delivery needs from its transport and its handler. */
export interface BatchPipeline {
  readonly group: string;
  /**
   * Reads each event's payload, once for both the catalog's check and the
   * handler; events it refuses (unknown types, data the catalog's codec
   * rejects) are dead-lettered before the handler.
   */
  read(event: CloudEvent): AuditEvent | Rejection;
  readonly maxEventBytes: number;
  /** Tries of a batch that fails for a reason other than an outage, before it is split. */
  readonly maxAttempts: number;
  readonly backoff?: BackoffPolicy;
  readonly outageBackoff?: BackoffPolicy;
  /** Applies a batch in one transaction; throwing means nothing was applied. */
  handle(events: readonly AuditEvent[]): Promise<void>;
  /** Publishes dead letters durably; a rejection stops the batch (nothing is skipped). */
  deadLetter(events: readonly OutgoingEvent[]): Promise<void>;
  /** Called while waiting between tries (consumer heartbeats). */
  keepAlive(): Promise<void>;
  readonly logger: Logger;
  /** Observes dead letters by reason kind (`invalid-envelope`, `unknown-type`, …). */
  onDeadLettered?(count: number, kind: string): void;
}

/** `done`: every record is applied or dead-lettered (commit the offsets); `aborted`: do not. */
export type BatchOutcome = 'done' | 'aborted';

/**
 * Delivers records of one partition, in order, with @nes/bus' semantics but
 * a batch at a time: unusable envelopes, unknown types and invalid data go
 * to `<topic>.dlq` at once; the rest is handed to `handle` in one call (one
 * transaction). A batch that keeps failing is split in halves until the
 * event that fails alone is found and dead-lettered with the reason; the
 * others are applied. Outages (the database unreachable) are retried until
 * they end or the consumer stops, never dead-lettered.
 */
export async function deliverBatch(
  records: readonly TransportRecord[],
  pipeline: BatchPipeline,
  signal: AbortSignal,
): Promise<BatchOutcome> {
  const deadLetters: OutgoingEvent[] = [];
  const valid: AuditEvent[] = [];
  for (const record of records) {
    const parsed = parseEvent(record.value, pipeline.maxEventBytes);
    if (!parsed.ok) {
      const info = { group: pipeline.group, reason: parsed.reason, attempts: 0 };
      deadLetters.push(invalidEnvelopeDeadLetter(record, info, pipeline.maxEventBytes / 2));
      pipeline.onDeadLettered?.(1, 'invalid-envelope');
      continue;
    }
    const read = pipeline.read(parsed.event);
    if ('rejection' in read) {
      const { rejection } = read;
      const info = { group: pipeline.group, reason: rejection, attempts: 0 };
      deadLetters.push(deadLetterOf(record.topic, parsed.event, info));
      pipeline.onDeadLettered?.(1, rejection.slice(0, rejection.indexOf(':')));
      continue;
    }
    valid.push(read);
  }
  if (deadLetters.length > 0) {
    pipeline.logger.warn({ count: deadLetters.length }, 'dead-lettering unusable events');
    await pipeline.deadLetter(deadLetters);
  }
  const topic = records[0]?.topic ?? '';
  return valid.length === 0 ? 'done' : applyOrSplit(valid, topic, pipeline, signal);
}

async function applyOrSplit(
  events: readonly AuditEvent[],
  topic: string,
  pipeline: BatchPipeline,
  signal: AbortSignal,
): Promise<BatchOutcome> {
  const tried = await tryHandle(events, pipeline, signal);
  if (tried === 'handled') return 'done';
  if (tried === 'aborted') return 'aborted';
  if (events.length === 1) {
    const [{ event }] = events as [AuditEvent];
    pipeline.logger.warn(
      { eventId: event.id, type: event.type, reason: tried.reason },
      'dead-lettering event',
    );
    await pipeline.deadLetter([
      deadLetterOf(topic, event, {
        group: pipeline.group,
        reason: `handler-failed: ${tried.reason}`,
        attempts: pipeline.maxAttempts,
      }),
    ]);
    pipeline.onDeadLettered?.(1, 'handler-failed');
    return 'done';
  }
  // Halves in order, so events of one key stay in order.
  const middle = Math.ceil(events.length / 2);
  for (const half of [events.slice(0, middle), events.slice(middle)]) {
    if ((await applyOrSplit(half, topic, pipeline, signal)) === 'aborted') return 'aborted';
  }
  return 'done';
}

type TryOutcome = 'handled' | 'aborted' | { readonly reason: string };

async function tryHandle(
  events: readonly AuditEvent[],
  pipeline: BatchPipeline,
  signal: AbortSignal,
): Promise<TryOutcome> {
  let failures = 0;
  let outages = 0;
  while (!signal.aborted) {
    try {
      await pipeline.handle(events);
      return 'handled';
    } catch (error) {
      if (signal.aborted) return 'aborted';
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      // The database (or the network to it) away, not something wrong with the events.
      const outage = isTransientFailure(error);
      if (outage) outages += 1;
      else failures += 1;
      pipeline.logger.warn(
        { err: error, events: events.length, failures, outages },
        outage ? 'projection database unavailable; retrying' : 'projection batch failed',
      );
      if (!outage && failures >= pipeline.maxAttempts) return { reason };
      const delay = outage
        ? backoffDelay(pipeline.outageBackoff ?? DEFAULT_OUTAGE_BACKOFF, outages)
        : backoffDelay(pipeline.backoff ?? DEFAULT_HANDLER_BACKOFF, failures);
      // Heartbeats keep the member in its group; one that fails is retried next slice.
      await sleepKeepingAlive(delay, () => pipeline.keepAlive().catch(() => undefined), signal);
    }
  }
  return 'aborted';
}
