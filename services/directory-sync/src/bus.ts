import { createKafkaBus, createPostgresBus, type EventBus } from '@nes/bus';
import type { Logger } from '@nes/kit';
import type { Config } from './config.js';

/** The event bus the outbox relay publishes to: Kafka, or the Postgres-backed bus on the service's database. */
export async function createBus(config: Config, logger: Logger): Promise<EventBus> {
  if (config.bus.kind === 'kafka') {
    return createKafkaBus({ brokers: config.bus.brokers, clientId: 'nes-directory-sync', logger });
  }
  return createPostgresBus({ connectionString: config.database.url, logger });
}
