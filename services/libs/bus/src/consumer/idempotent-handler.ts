import type { CloudEvent } from '../envelope/cloud-event.js';
import type { DeliveryContext, EventHandler } from '../event-bus.js';
import {
  inTransaction,
  quoteIdentifier,
  type ConnectionPool,
  type Queryable,
} from '../db/queryable.js';

/** A handler whose writes join the de-duplication insert in one transaction. */
export type TransactionalHandler = (
  event: CloudEvent,
  tx: Queryable,
  context: DeliveryContext,
) => Promise<void>;

/** Options of {@link idempotentHandler}. */
export interface IdempotentHandlerOptions {
  /** The service's pool (its schema holds `processed_event`, see the outbox migrations). */
  readonly pool: ConnectionPool;
  readonly handler: TransactionalHandler;
  /**
   * Schema of `processed_event`; by default the name is unqualified and
   * resolves through the pool's search_path.
   */
  readonly schema?: string;
  /** Called when an event was already processed by this group (redelivery). */
  readonly onDuplicate?: (event: CloudEvent, context: DeliveryContext) => void;
}

/**
 * Makes a handler's effect happen exactly once per consumer group despite
 * at-least-once delivery: the event id is inserted into `processed_event`
 * inside the same transaction as the handler's writes. A redelivered event
 * conflicts on (consumer_group, event_id) and is skipped; a failed handler
 * rolls back both, so the retry starts clean.
 */
export function idempotentHandler(options: IdempotentHandlerOptions): EventHandler {
  const table =
    options.schema === undefined
      ? 'processed_event'
      : `${quoteIdentifier(options.schema)}.processed_event`;
  const insert = `INSERT INTO ${table} (consumer_group, event_id) VALUES ($1, $2)
    ON CONFLICT (consumer_group, event_id) DO NOTHING`;
  return async (event, context) => {
    const fresh = await inTransaction(options.pool, async (tx) => {
      const inserted = await tx.query(insert, [context.group, event.id]);
      if (inserted.rowCount === 0) return false;
      await options.handler(event, tx, context);
      return true;
    });
    if (!fresh) options.onDuplicate?.(event, context);
  };
}
