import { setTimeout as sleep } from 'node:timers/promises';
import { createAccessTokenVerifier, decorateAccessToken, redisRevocationCheck } from '@nes/auth';
import { busReadinessCheck, OutboxRelay, type EventBus } from '@nes/bus';
import {
  createHttpServer,
  createLifecycle,
  startOrUnwind,
  createMetrics,
  createPool,
  createReadiness,
  createRedis,
  postgresReadinessCheck,
  type HttpServer,
  type Lifecycle,
  type Logger,
  type Metrics,
} from '@nes/kit';
import type pg from 'pg';
import { createClientDirectory } from './auth/client-directory.js';
import type { ApiConfig } from './config.js';
import { systemClock, type Clock, type TelemetryContext } from './context.js';
import { pruneReceipts } from './db/ingest-queries.js';
import { addAuditRoutes } from './http/audit-routes.js';
import { addIngestRoutes } from './http/ingest-routes.js';
import { addStreamRoutes } from './http/stream-routes.js';
import { createBus, openDatabase, SCHEMA } from './infrastructure.js';
import { createIngestMetrics } from './metrics.js';
import { startRepublisher } from './republish/republisher.js';

/** What the caller supplies besides the configuration. */
export interface StartOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly metrics?: Metrics;
}

/** A running telemetry API process. */
export interface RunningTelemetryService {
  readonly lifecycle: Lifecycle;
  readonly context: TelemetryContext;
  readonly http: HttpServer;
  readonly bus: EventBus;
  readonly httpPort: number;
}

/** How long start waits for Redis before going on without it (it keeps reconnecting). */
const REDIS_START_WAIT_MS = 5_000;
/** How often receipts past their retention are pruned. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Builds and starts the telemetry API process: migrations, Postgres, Redis,
 * the bus with the outbox relay and the republisher, the token verifier, the
 * registration client and the HTTP server (ingest, audit queries, exports,
 * live tail). Shutdown runs in reverse: live streams, HTTP, receipt pruning,
 * republisher, relay, bus, registration client, Redis, Postgres.
 */
export async function startTelemetryService(
  config: ApiConfig,
  options: StartOptions,
): Promise<RunningTelemetryService> {
  const readiness = createReadiness();
  const lifecycle = createLifecycle({
    logger: options.logger,
    readiness,
    timeoutMs: config.shutdown.timeoutMs,
  });
  return startOrUnwind(lifecycle, () => start(config, options, lifecycle, readiness));
}

function createQueryPool(config: ApiConfig, logger: Logger, lifecycle: Lifecycle): pg.Pool {
  const source = config.queryDatabase ?? config.database;
  const pool = createPool({
    url: source.url,
    poolSize: source.poolSize,
    statementTimeoutMs: config.database.statementTimeoutMs,
    applicationName: 'nes-telemetry-query',
    schema: SCHEMA,
    logger,
    // Analysts only read: every transaction of this pool is read-only, whatever its role may do.
    readOnly: true,
  });
  lifecycle.onStop('postgres (queries)', () => pool.end());
  return pool;
}

async function start(
  config: ApiConfig,
  options: StartOptions,
  lifecycle: Lifecycle,
  readiness: ReturnType<typeof createReadiness>,
): Promise<RunningTelemetryService> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics({ service: 'telemetry' });
  const ingestMetrics = createIngestMetrics(metrics);
  if ((config.analysts.apiKeys ?? []).length === 0) {
    logger.warn(
      'NES_TEL_ANALYSTS_API_KEYS is empty: only access tokens with the analyst scope can read the audit',
    );
  }
  const pool = await openDatabase(config, logger, lifecycle, 'nes-telemetry');
  readiness.register('postgres', postgresReadinessCheck(pool));
  const queryPool = createQueryPool(config, logger, lifecycle);

  const redis = createRedis(config.redis, logger);
  lifecycle.onStop('redis', () => redis.close());
  readiness.register('redis', redis.check);
  const redisWait = new AbortController();
  await Promise.race([
    redis.connected,
    sleep(REDIS_START_WAIT_MS, undefined, { signal: redisWait.signal }).catch(() => undefined),
  ]);
  redisWait.abort();

  const clients = await createClientDirectory({
    target: config.registration.grpcTarget,
    deadlineMs: config.registration.deadlineMs,
    tls: config.registration.tls,
    redis: redis.client,
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: config.ingest.clientCacheTtlSeconds,
    logger,
  });
  lifecycle.onStop('registration client', () => clients.close());

  const bus = await createBus(config, logger, 'nes-telemetry');
  lifecycle.onStop('bus', () => bus.close());
  readiness.register('bus', busReadinessCheck(bus));

  const relay = new OutboxRelay({
    pool,
    schema: SCHEMA,
    bus,
    logger,
    batchSize: config.relay.batchSize,
    // Once on nes.audit.v1 the event lives there (and in telemetry.log); keeping
    // published rows would cost an UPDATE and a DELETE more per event.
    retentionMs: 0,
    metrics: ingestMetrics.relay,
  });
  relay.start();
  lifecycle.onStop('outbox relay', () => relay.stop());

  const republisher = await startRepublisher({
    bus,
    pool,
    topics: config.republish.topics,
    group: 'nes-telemetry-republisher',
    clients,
    metrics: ingestMetrics,
    logger,
  });
  lifecycle.onStop('republisher', () => republisher.close());

  const pruning = setInterval(() => {
    const cutoff = new Date(Date.now() - config.ingest.receiptRetentionDays * 86_400_000);
    pruneReceipts(pool, cutoff).catch((error: unknown) => {
      logger.warn({ err: error }, 'pruning ingest receipts failed');
    });
  }, PRUNE_INTERVAL_MS);
  pruning.unref();
  lifecycle.onStop('receipt pruning', () => clearInterval(pruning));

  const verifier = createAccessTokenVerifier({
    issuer: config.auth.issuer,
    jwksUri: config.auth.jwksUri,
    audience: config.auth.audience,
    isRevoked: redisRevocationCheck(redis.client, config.auth.revocationKeyPrefix),
  });

  const context: TelemetryContext = {
    config,
    pool,
    queryPool,
    logger,
    clock: options.clock ?? systemClock,
    metrics: ingestMetrics,
    verifier,
    clients,
  };

  const http = await createHttpServer({
    config: config.http,
    logger,
    metrics,
    readiness,
    trustProxy: config.http.trustProxy,
    openapi: {
      title: 'NES telemetry',
      version: '1.0.0',
      description: 'Device telemetry ingest, the audit query API, exports and the live tail',
    },
  });
  decorateAccessToken(http);
  http.decorateRequest('analyst', '');
  addIngestRoutes(http, context);
  addAuditRoutes(http, context);
  const streams = addStreamRoutes(http, context);
  lifecycle.onStop('http', () => http.close());
  // Registered after HTTP so it runs before: open streams would keep close() waiting.
  lifecycle.onStop('live streams', () => streams.closeAll());
  await http.listen({ host: config.http.host, port: config.http.port });
  const address = http.server.address();
  const httpPort =
    typeof address === 'object' && address !== null ? address.port : config.http.port;
  logger.info({ httpPort, bus: config.bus.kind }, 'telemetry service started');
  return { lifecycle, context, http, bus, httpPort };
}
