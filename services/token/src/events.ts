import { nesCatalog, nesPayload, type EventBus, type Subscription } from '@nes/bus';
import type { Logger } from '@nes/kit';
import { topics } from '@nes/proto';
import type { ClientAuthenticator } from './clients/client-authenticator.js';
import type { TokenMetrics } from './metrics.js';

/** Options of {@link subscribeClientChanges}. */
export interface ClientChangesOptions {
  readonly bus: EventBus;
  readonly clients: Pick<ClientAuthenticator, 'invalidate'>;
  readonly metrics: TokenMetrics;
  readonly logger: Logger;
  /** This replica's own consumer group (see {@link replicaGroup}). */
  readonly group: string;
}

/**
 * The consumer group of one replica: `nes-token-cache.<host>.<random>`.
 *
 * Every replica caches client verifications, so every replica must see every
 * client event — a group shared by the replicas would hand each event to one
 * of them only. A group per replica (per process start) gets all of them,
 * through the bus' ordinary at-least-once delivery, with no second channel
 * to operate (Redis pub/sub was the alternative: it needs a relay consumer
 * and loses messages while a subscriber reconnects). It starts at the end of
 * the topic: a new process has an empty cache, so older events are moot.
 * The cost is a group left behind per process start (Kafka expires idle
 * groups' offsets by its retention; the Postgres bus keeps a few rows each).
 */
export function replicaGroup(serverHost: string, suffix: string): string {
  const host = serverHost.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 80);
  return `nes-token-cache.${host}.${suffix}`;
}

/**
 * Subscribes to `nes.client.updated.v1` and `nes.client.deleted.v1` and
 * drops the client's cached verification at once: a deleted client gets
 * invalid_client on its next request here, an updated one (scopes, keys) is
 * verified afresh. Invalidation is idempotent, so redelivery is harmless and
 * no de-duplication table is needed.
 */
export async function subscribeClientChanges(options: ClientChangesOptions): Promise<Subscription> {
  const logger = options.logger.child({ subsystem: 'client-events' });
  return options.bus.subscribe({
    group: options.group,
    topics: [topics.registration],
    catalog: nesCatalog,
    fromBeginning: false,
    handler: (event) => {
      const updated = nesPayload(event, 'nes.client.updated.v1');
      const deleted = updated ? undefined : nesPayload(event, 'nes.client.deleted.v1');
      const clientId = (updated ?? deleted)?.client?.clientId;
      if (clientId !== undefined && clientId !== '') {
        options.clients.invalidate(clientId);
        const kind = updated ? 'updated' : 'deleted';
        options.metrics.clientInvalidated(kind);
        logger.info(
          { clientId, kind, eventId: event.id },
          'client changed; cached verification dropped',
        );
      }
      return Promise.resolve();
    },
  });
}
