import { isTransientFailure } from '@nes/kit';
import type { Logger } from 'pino';

import { backoffDelay, DEFAULT_OUTAGE_BACKOFF, type BackoffPolicy } from '../backoff.js';
import type { EventCatalog } from '../envelope/catalog.js';
import type { CloudEvent, OutgoingEvent } from '../envelope/cloud-event.js';
import { parseEvent } from '../envelope/parse-event.js';
import type { EventHandler, RetryPolicy } from '../event-bus.js';
import { sleepKeepingAlive } from '../sleep.js';
import {
  catalogRejection,
  deadLetterOf,
  invalidEnvelopeDeadLetter,
  type TransportRecord,
} from './dead-letter.js';

/** Everything a transport hands the shared delivery logic. */
export interface DeliveryPipeline {
  readonly group: string;
  readonly handler: EventHandler;
  readonly retry: RetryPolicy;
  readonly catalog: EventCatalog | undefined;
  readonly maxEventBytes: number;
  readonly logger: Logger;
  /** Publishes a dead letter durably; a rejection stops the partition (nothing is skipped). */
  deadLetter(event: OutgoingEvent): Promise<void>;
  /** Called while waiting between retries (Kafka heartbeats, lease renewal). */
  keepAlive?(): Promise<void>;
  /** Waits between tries while the handler meets an outage (default DEFAULT_OUTAGE_BACKOFF). */
  readonly outageBackoff?: BackoffPolicy;
}

/**
 * `handled`: the handler succeeded; `dead-lettered`: the event is in the DLQ;
 * either way the offset may be committed. `aborted`: shutdown or partition
 * loss interrupted delivery; the offset must NOT be committed.
 */
export type DeliveryOutcome = 'handled' | 'dead-lettered' | 'aborted';

/**
 * Delivers one record with the bus' semantics, identical for every transport:
 * unusable envelopes and unknown types are dead-lettered at once, handler
 * failures are retried with backoff and then dead-lettered. A failure that
 * is an outage of what the handler writes to (`isTransientFailure`: its
 * database refused, lost, failing over, timed out under load) is nothing
 * wrong with the event: it is retried until the outage ends or delivery is
 * aborted, without counting against `maxAttempts` — the partition waits
 * rather than dead-lettering every event that arrives during a failover.
 */
export async function deliverRecord(
  record: TransportRecord,
  pipeline: DeliveryPipeline,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const { group } = pipeline;
  const parsed = parseEvent(record.value, pipeline.maxEventBytes);
  if (!parsed.ok) {
    const info = { group, reason: parsed.reason, attempts: 0 };
    pipeline.logger.warn({ ...position(record), reason: parsed.reason }, 'dead-lettering record');
    await pipeline.deadLetter(invalidEnvelopeDeadLetter(record, info, pipeline.maxEventBytes / 2));
    return 'dead-lettered';
  }
  const { event } = parsed;
  const rejection =
    pipeline.catalog === undefined ? undefined : catalogRejection(pipeline.catalog, event);
  if (rejection !== undefined) {
    return deadLetter(record, event, pipeline, rejection, 0);
  }
  const { maxAttempts, backoff } = pipeline.retry;
  const keepAlive = async () => {
    await pipeline.keepAlive?.();
  };
  let lastError = 'unknown';
  let outages = 0;
  for (let attempt = 1; attempt <= maxAttempts;) {
    if (signal.aborted) return 'aborted';
    let delay: number;
    try {
      await pipeline.handler(event, { ...position(record), group, attempt, signal });
      return 'handled';
    } catch (error) {
      // An aborted handler is interrupted, not failed: redeliver it later.
      if (signal.aborted) return 'aborted';
      const outage = isTransientFailure(error);
      pipeline.logger.warn(
        { ...position(record), eventId: event.id, type: event.type, attempt, err: error },
        outage ? 'event handler met an outage; retrying' : 'event handler failed',
      );
      if (outage) {
        outages += 1;
        delay = backoffDelay(pipeline.outageBackoff ?? DEFAULT_OUTAGE_BACKOFF, outages);
      } else {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        outages = 0;
        if (attempt === maxAttempts) break;
        delay = backoffDelay(backoff, attempt);
        attempt += 1;
      }
    }
    await sleepKeepingAlive(delay, keepAlive, signal);
  }
  return deadLetter(record, event, pipeline, `handler-failed: ${lastError}`, maxAttempts);
}

async function deadLetter(
  record: TransportRecord,
  event: CloudEvent,
  pipeline: DeliveryPipeline,
  reason: string,
  attempts: number,
): Promise<DeliveryOutcome> {
  pipeline.logger.warn(
    { ...position(record), eventId: event.id, type: event.type, reason, attempts },
    'dead-lettering event',
  );
  await pipeline.deadLetter(
    deadLetterOf(record.topic, event, { group: pipeline.group, reason, attempts }),
  );
  return 'dead-lettered';
}

function position(record: TransportRecord): { topic: string; partition: number; offset: string } {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}
