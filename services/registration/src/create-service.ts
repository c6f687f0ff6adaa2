import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  busReadinessCheck,
  createKafkaBus,
  createPostgresBus,
  OUTBOX_MIGRATIONS_DIR,
  OutboxRelay,
  type EventBus,
} from '@nes/bus';
import {
  createGrpcServer,
  createHttpServer,
  createLifecycle,
  startOrUnwind,
  createMetrics,
  createPool,
  createRateLimiter,
  createReadiness,
  createRedis,
  postgresReadinessCheck,
  runMigrations,
  type GrpcServer,
  type HttpServer,
  type Lifecycle,
  type Logger,
  type Metrics,
} from '@nes/kit';
import type { RegistrationConfig } from './config.js';
import { systemClock, type Clock, type RegistrationContext } from './context.js';
import { produce } from './events.js';
import { addRegistrationService } from './grpc/registration-service.js';
import { addClientConfigurationRoutes } from './http/client-configuration-routes.js';
import { addClientRoutes } from './http/client-routes.js';
import { addCrtRoutes } from './http/crt-routes.js';
import { addRegistrationRoutes } from './http/registration-routes.js';
import { createRegistrationMetrics } from './metrics.js';

/** The Postgres schema this service owns. */
export const SCHEMA = 'oauth';

/**
 * The service's own migrations (applied together with @nes/bus' outbox
 * tables). The SQL files stay in src/db/migrations (tsc copies no .sql), and
 * the path is the same seen from src/ and from dist/.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../src/db/migrations', import.meta.url));

/** What the caller supplies besides the configuration. */
export interface StartOptions {
  readonly logger: Logger;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: a registry of its own. */
  readonly metrics?: Metrics;
}

/** A running registration service. */
export interface RunningRegistrationService {
  readonly lifecycle: Lifecycle;
  readonly context: RegistrationContext;
  readonly http: HttpServer;
  readonly grpc: GrpcServer;
  readonly bus: EventBus;
  /** Bound ports (useful when configured as 0). */
  readonly httpPort: number;
  readonly grpcPort: number;
}

/** How long start waits for Redis before going on without it (it keeps reconnecting). */
const REDIS_START_WAIT_MS = 5_000;

function createBus(config: RegistrationConfig, logger: Logger): Promise<EventBus> {
  if (config.bus.kind === 'kafka') {
    return Promise.resolve(
      createKafkaBus({ brokers: config.bus.brokers, clientId: 'nes-registration', logger }),
    );
  }
  return createPostgresBus({ connectionString: config.database.url, logger });
}

/**
 * Builds and starts the registration service: migrations, Postgres, Redis,
 * the event bus and the outbox relay, the gRPC server and the HTTP server.
 * Shutdown steps are registered so that they run in the reverse order: HTTP,
 * gRPC, relay, bus, Redis, Postgres. If starting fails halfway, what was
 * started is stopped before the error is rethrown.
 */
export async function startRegistrationService(
  config: RegistrationConfig,
  options: StartOptions,
): Promise<RunningRegistrationService> {
  const { logger } = options;
  const readiness = createReadiness();
  const lifecycle = createLifecycle({ logger, readiness, timeoutMs: config.shutdown.timeoutMs });
  return startOrUnwind(lifecycle, () => start(config, options, lifecycle, readiness));
}

async function start(
  config: RegistrationConfig,
  options: StartOptions,
  lifecycle: Lifecycle,
  readiness: ReturnType<typeof createReadiness>,
): Promise<RunningRegistrationService> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics({ service: 'registration' });
  if ((config.admin.apiKeys ?? []).length === 0) {
    logger.warn('NES_REG_ADMIN_API_KEYS is empty: the admin API refuses every request');
  }

  const pool = createPool({
    ...config.database,
    applicationName: 'nes-registration',
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

  const redis = createRedis(config.redis, logger);
  lifecycle.onStop('redis', () => redis.close());
  readiness.register('redis', redis.check);
  const redisWait = new AbortController();
  await Promise.race([
    redis.connected,
    sleep(REDIS_START_WAIT_MS, undefined, { signal: redisWait.signal }).catch(() => undefined),
  ]);
  redisWait.abort();

  const bus = await createBus(config, logger);
  lifecycle.onStop('bus', () => bus.close());
  readiness.register('bus', busReadinessCheck(bus));

  const serviceMetrics = createRegistrationMetrics(metrics);
  const relay = new OutboxRelay({
    pool,
    schema: SCHEMA,
    bus,
    logger,
    metrics: serviceMetrics.relay,
  });
  relay.start();
  lifecycle.onStop('outbox relay', () => relay.stop());

  const context: RegistrationContext = {
    config,
    pool,
    redis: redis.client,
    logger,
    clock: options.clock ?? systemClock,
    metrics: serviceMetrics,
    signingKeys: { current: config.crt.signingKey, previous: config.crt.previousSigningKeys ?? [] },
    tokenSettings: { issuer: config.publicUrl, audience: `${config.publicUrl}/oauth2/register` },
    rateLimiter: createRateLimiter(redis.client, { prefix: `${config.redis.keyPrefix}rate:` }),
    produce,
  };

  const grpc = await createGrpcServer({
    logger,
    health: readiness,
    metrics,
    ...(config.grpc.tls ? { tls: config.grpc.tls } : {}),
  });
  addRegistrationService(grpc, context);
  lifecycle.onStop('grpc', () => grpc.close());
  const grpcPort = await grpc.bind(config.grpc.host, config.grpc.port);

  const http = await createHttpServer({
    config: config.http,
    logger,
    metrics,
    readiness,
    trustProxy: config.http.trustProxy,
    openapi: {
      title: 'NES registration',
      version: '1.0.0',
      description:
        'Client registration tokens, dynamic client registration (RFC 7591/7592), clients',
    },
  });
  addCrtRoutes(http, context);
  addClientRoutes(http, context);
  addRegistrationRoutes(http, context);
  addClientConfigurationRoutes(http, context);
  lifecycle.onStop('http', () => http.close());
  await http.listen({ host: config.http.host, port: config.http.port });
  const address = http.server.address();
  const httpPort =
    typeof address === 'object' && address !== null ? address.port : config.http.port;
  logger.info({ httpPort, grpcPort, bus: config.bus.kind }, 'registration service started');
  return { lifecycle, context, http, grpc, bus, httpPort, grpcPort };
}
