import { fileURLToPath } from 'node:url';
import {
  createGrpcServer,
  createHttpServer,
  createLifecycle,
  startOrUnwind,
  createMetrics,
  createPool,
  createReadiness,
  postgresReadinessCheck,
  runMigrations,
  type Lifecycle,
  type Logger,
} from '@nes/kit';
import { busReadinessCheck, OUTBOX_MIGRATIONS_DIR, OutboxRelay } from '@nes/bus';
import { createBus } from './bus.js';
import type { Config } from './config.js';
import type { ServiceContext } from './context.js';
import { DemoDirectory } from './demo/demo-directory.js';
import type { DirectoryAdapter } from './directory-adapter.js';
import { addDirectoryService } from './grpc/directory-service.js';
import { AdDirectory } from './ldap/ad-directory.js';
import { createDirectoryMetrics } from './metrics.js';
import { SyncScheduler } from './sync/sync-scheduler.js';

/** The service's Postgres schema. */
export const SCHEMA = 'directory';

/** The service's own migrations. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Options of {@link createService}. */
export interface CreateServiceOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Default: the system clock. */
  readonly clock?: () => Date;
}

/** A running directory-sync. */
export interface DirectorySyncService {
  readonly lifecycle: Lifecycle;
  readonly context: ServiceContext;
  readonly scheduler: SyncScheduler;
  readonly relay: OutboxRelay;
  readonly httpPort: number;
  readonly grpcPort: number;
}

/**
 * Wires the service by hand and starts it: Postgres (migrated), the event bus
 * and the outbox relay, the directory (AD or the demo file), the sync loops,
 * gRPC DirectoryService (with health) and the ops HTTP server (/healthz,
 * /readyz, /metrics). Shutdown runs in reverse: HTTP, gRPC, sync, relay,
 * directory, bus, Postgres. A failure halfway stops what was started.
 */
export async function createService(options: CreateServiceOptions): Promise<DirectorySyncService> {
  const { config, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const readiness = createReadiness();
  const lifecycle = createLifecycle({ logger, readiness, timeoutMs: config.shutdown.timeoutMs });
  return startOrUnwind(lifecycle, async () => {
    const pool = createPool({
      ...config.database,
      applicationName: 'nes-directory-sync',
      schema: SCHEMA,
      logger,
    });
    lifecycle.onStop('postgres', () => pool.end());
    await runMigrations({
      pool,
      schema: SCHEMA,
      dirs: [MIGRATIONS_DIR, OUTBOX_MIGRATIONS_DIR],
      logger,
    });
    readiness.register('postgres', postgresReadinessCheck(pool));

    const bus = await createBus(config, logger);
    lifecycle.onStop('bus', () => bus.close());
    readiness.register('bus', busReadinessCheck(bus));

    const metrics = createMetrics({ service: 'directory-sync' });
    const directoryMetrics = createDirectoryMetrics(metrics);
    const directory: DirectoryAdapter =
      config.directory.kind === 'ad'
        ? await AdDirectory.create(config.directory.ad, logger, {
            dcHealth: (site, dc, up) => directoryMetrics.dcHealth(site, dc, up),
          })
        : await DemoDirectory.load(config.directory.file, logger);
    lifecycle.onStop('directory', () => directory.close());
    directory.start();
    readiness.register('directory', () => directoryReady(directory));

    const relay = new OutboxRelay({
      pool,
      schema: SCHEMA,
      bus,
      logger,
      metrics: directoryMetrics.relay,
    });
    relay.start();
    lifecycle.onStop('outbox relay', () => relay.stop());

    const context: ServiceContext = { pool, directory, logger, metrics: directoryMetrics, clock };
    const scheduler = new SyncScheduler({
      directory,
      pool,
      logger,
      metrics: directoryMetrics,
      intervalMs: config.sync.intervalMs,
      fullIntervalMs: config.sync.fullIntervalMs,
      apply: {
        pool,
        domain: directory.domain,
        clock,
        onEvents: (events) => directoryMetrics.eventsEnqueued(events.map((e) => e.event.type)),
      },
    });
    if (config.sync.enabled) scheduler.start();
    lifecycle.onStop('sync', () => scheduler.stop());

    const grpc = await createGrpcServer({
      logger,
      health: readiness,
      metrics,
      ...(config.grpc.tls ? { tls: config.grpc.tls } : {}),
    });
    addDirectoryService(grpc, context);
    const grpcPort = await grpc.bind(config.grpc.host, config.grpc.port);
    lifecycle.onStop('grpc', () => grpc.close());

    const http = await createHttpServer({
      config: config.http,
      logger,
      metrics,
      readiness,
      openapi: { title: 'NES directory-sync', version: '1.0.0' },
    });
    lifecycle.onStop('http', () => http.close());
    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;

    logger.info(
      { directory: directory.kind, sites: directory.sites.map((s) => s.name), grpcPort, httpPort },
      'directory-sync started',
    );
    return { lifecycle, context, scheduler, relay, httpPort, grpcPort };
  });
}

/** Ready when every site has at least one DC that answered its last health check. */
async function directoryReady(directory: DirectoryAdapter): Promise<void> {
  const health = directory.health();
  const down = directory.sites
    .filter((site) => !health.some((h) => h.site === site.name && h.up))
    .map((site) => site.name);
  if (down.length > 0) throw new Error(`no reachable DC in site(s) ${down.join(', ')}`);
  return Promise.resolve();
}
