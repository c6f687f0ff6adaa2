import {
  enqueue,
  idempotentHandler,
  nesCatalog,
  nesPayload,
  type EventBus,
  type Subscription,
} from '@nes/bus';
import type { Logger } from '@nes/kit';
import type pg from 'pg';
import type { ClientDirectory } from '../auth/client-directory.js';
import { isAudited, republication } from '../events.js';
import type { IngestMetrics } from '../metrics.js';

/** Options of {@link startRepublisher}. */
export interface RepublisherOptions {
  readonly bus: EventBus;
  readonly pool: pg.Pool;
  /** Source topics (nes.registration.v1, and the others as their services arrive). */
  readonly topics: readonly string[];
  readonly group: string;
  readonly clients: ClientDirectory;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
}

/**
 * Republishes every audited server-side event on nes.audit.v1, unchanged,
 * through this service's outbox: the event and the consumer's
 * `processed_event` record commit together (`idempotentHandler`), so each
 * event is enqueued once however often it is delivered, and the relay
 * publishes it in order behind the telemetry of the same transaction
 * stream. Events the catalog does not mark audited (routine directory
 * syncs) are acknowledged and not republished. A client change also drops
 * the client from the identity cache, after the transaction.
 */
export function startRepublisher(options: RepublisherOptions): Promise<Subscription> {
  const log = options.logger.child({ subsystem: 'republisher' });
  const republish = idempotentHandler({
    pool: options.pool,
    handler: async (event, tx) => {
      if (!isAudited(event.type)) return;
      await enqueue(tx, republication(event));
      options.metrics.republished(event.type);
    },
  });
  return options.bus.subscribe({
    group: options.group,
    topics: options.topics,
    catalog: nesCatalog,
    handler: async (event, context) => {
      await republish(event, context);
      const changed =
        nesPayload(event, 'nes.client.updated.v1') ?? nesPayload(event, 'nes.client.deleted.v1');
      const clientId = changed?.client?.clientId;
      if (clientId !== undefined && clientId !== '') {
        await options.clients.invalidate(clientId).catch((error: unknown) => {
          // The cache entry expires on its own; refusing the event would not help.
          log.warn({ err: error, clientId }, 'could not drop a changed client from the cache');
        });
      }
    },
  });
}
