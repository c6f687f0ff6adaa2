import { enqueue } from '@nes/bus';
import {
  AppError,
  BadRequestError,
  formatTraceparent,
  InvalidTokenError,
  withTransaction,
  type TraceParent,
} from '@nes/kit';
import { findReceipts, insertReceipts } from '../db/ingest-queries.js';
import type { TelemetryContext } from '../context.js';
import { hostIdIssues, toTelemetryEvent, type RequestFacts } from '../domain/telemetry-record.js';
import { validateBatch, type EventIssue } from '../domain/validate-batch.js';
import { telemetryEvent } from '../events.js';

/** 400: events of the batch are invalid; nothing of the batch was stored. */
export class InvalidEventsError extends AppError {
  override name = 'InvalidEventsError';
  constructor(total: number, invalid: number, issues: readonly EventIssue[]) {
    super(
      400,
      'invalid_events',
      `${invalid} of ${total} events are invalid; nothing of this batch was stored. Fix or drop them and send the batch again.`,
      { details: { invalidEvents: invalid, issues } },
    );
  }
}

/** What happened to one event of an accepted batch. */
export interface IngestedEvent {
  readonly index: number;
  /** The client's event id. */
  readonly eventId: string;
  /** The CloudEvents id on nes.audit.v1 (the one it was first accepted under, for duplicates). */
  readonly id: string;
  readonly status: 'accepted' | 'duplicate';
}

/** The answer to an accepted batch. */
export interface IngestResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly events: readonly IngestedEvent[];
}

/** Who sent the batch and how. */
export interface IngestRequest {
  readonly body: unknown;
  /** From the verified access token. */
  readonly clientId: string;
  readonly requestId: string;
  readonly clientIp: string;
  readonly trace: TraceParent | undefined;
}

/**
 * Accepts a batch of device telemetry: validates it whole (all or nothing),
 * takes the identity fields from the registered client, then in one
 * transaction records the client's event ids and writes the new events to the
 * outbox. When this returns, the batch is durable; a retry of the same batch
 * finds its ids recorded and adds nothing.
 *
 * @throws InvalidTokenError when the client is no longer registered,
 *   AppError 400/413 for a malformed, empty or oversized batch,
 *   InvalidEventsError listing every invalid event.
 */
export async function ingestBatch(
  context: TelemetryContext,
  request: IngestRequest,
): Promise<IngestResult> {
  const validation = validateBatch(request.body, context.config.ingest.maxEvents);
  if (!validation.ok && 'problem' in validation) {
    const { kind, message } = validation.problem;
    if (kind === 'too_many') throw new AppError(413, 'batch_too_large', message);
    throw new BadRequestError(message, {
      code: kind === 'empty' ? 'empty_batch' : 'invalid_batch',
    });
  }
  const total = Array.isArray((request.body as { events?: unknown }).events)
    ? (request.body as { events: unknown[] }).events.length
    : 0;
  if (!validation.ok) {
    throw new InvalidEventsError(total, validation.invalidEvents, validation.issues);
  }
  const identity = await context.clients.get(request.clientId, request.requestId);
  if (identity === undefined) {
    throw new InvalidTokenError('the client is not registered or has been deleted');
  }
  const { events } = validation;
  const mismatches = hostIdIssues(events, identity);
  if (mismatches.length > 0) throw new InvalidEventsError(total, mismatches.length, mismatches);

  const receivedAt = context.clock.now();
  const facts: RequestFacts = {
    clientIp: request.clientIp,
    receivedAt,
    traceId: request.trace?.traceId ?? '',
    spanId: request.trace?.parentId ?? '',
  };
  const traceparent = request.trace === undefined ? undefined : formatTraceparent(request.trace);
  const prepared = events.map((event) => {
    const outgoing = telemetryEvent(toTelemetryEvent(event, identity, facts), traceparent);
    return { outgoing, receipt: { clientEventId: event.eventId, eventId: outgoing.event.id } };
  });
  const receipts = prepared.map((p) => p.receipt);

  const { fresh, earlier } = await withTransaction(context.pool, async (tx) => {
    const inserted = await insertReceipts(tx, identity.clientId, receipts, receivedAt);
    await enqueue(
      tx,
      prepared.filter((p) => inserted.has(p.receipt.clientEventId)).map((p) => p.outgoing),
    );
    const repeated = receipts.filter((r) => !inserted.has(r.clientEventId));
    const known =
      repeated.length === 0
        ? new Map<string, string>()
        : await findReceipts(
            tx,
            identity.clientId,
            repeated.map((r) => r.clientEventId),
          );
    return { fresh: inserted, earlier: known };
  });

  const results = receipts.map((receipt, index): IngestedEvent => {
    const isNew = fresh.has(receipt.clientEventId);
    return {
      index,
      eventId: receipt.clientEventId,
      id: isNew ? receipt.eventId : (earlier.get(receipt.clientEventId) ?? receipt.eventId),
      status: isNew ? 'accepted' : 'duplicate',
    };
  });
  const accepted = fresh.size;
  context.metrics.events('accepted', accepted);
  if (results.length > accepted) context.metrics.events('duplicate', results.length - accepted);
  return { accepted, duplicates: results.length - accepted, events: results };
}
