import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { busReadinessCheck, createKafkaBus, createPostgresBus, type EventBus } from '@nes/bus';
import {
  createHttpServer,
  createLifecycle,
  startOrUnwind,
  createLogger,
  createMetrics,
  createPool,
  createReadiness,
  createRedis,
  postgresReadinessCheck,
  runMigrations,
  type HttpServer,
  type Lifecycle,
  type Logger,
} from '@nes/kit';
import { createAuthThrottle } from './clients/auth-throttle.js';
import { createClientAuthenticator } from './clients/client-authenticator.js';
import { createRegistrationApi } from './clients/registration-client.js';
import type { TokenConfig } from './config.js';
import { endpointsFor, systemClock, type Clock, type TokenContext } from './context.js';
import type { KeySchedule } from './domain/key-schedule.js';
import { replicaGroup, subscribeClientChanges } from './events.js';
import { addDiscoveryRoutes } from './http/discovery-routes.js';
import { addFormBodyParser } from './http/form-body.js';
import { addIntrospectionRoute } from './http/introspection-route.js';
import { addRevocationRoute } from './http/revocation-route.js';
import { fastTokenPath } from './http/fast-token-path.js';
import { addTokenRoute } from './http/token-route.js';
import { createKeyManager, type KeyManager } from './keys/key-manager.js';
import { createKeyRing } from './keys/key-ring.js';
import { createTokenMetrics } from './metrics.js';
import { createAccessTokens } from './tokens/access-tokens.js';
import { createRevocations } from './tokens/revocations.js';

/** The schema this service owns. */
export const SCHEMA = 'token';

/**
 * The migrations folder. It is resolved through `../src/` so that it is the
 * same folder whether this module runs from `src/` (tests, tsx) or from
 * `dist/` (tsc does not copy .sql files).
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../src/db/migrations', import.meta.url));

/** How long verifiers may trust a clock that runs behind ours (tokens, keys). */
const CLOCK_SKEW_MS = 60_000;

/** What tests (and the all-in-one runner) may provide instead of the defaults. */
export interface TokenServiceOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** A bus to use instead of one built from config (not closed by the service). */
  readonly bus?: EventBus;
}

/** A running token service. */
export interface TokenService {
  readonly lifecycle: Lifecycle;
  readonly context: TokenContext;
  readonly app: HttpServer;
  /** The signing keys' maintenance (`refresh()` runs a round now). */
  readonly keys: KeyManager;
  /** `http://host:port` the server listens on. */
  readonly url: string;
}

/**
 * Builds and starts the token service: Postgres (migrations, signing keys),
 * Redis (brute-force counters, revocations), the registration gRPC client,
 * the client-event subscription and the HTTP server. Everything opened is
 * registered with the lifecycle, so `lifecycle.stop()` undoes it — also
 * when startup fails halfway.
 */
export async function createTokenService(
  config: TokenConfig,
  options: TokenServiceOptions = {},
): Promise<TokenService> {
  const logger =
    options.logger ?? createLogger({ service: 'token', level: config.log.level, buffered: true });
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const readiness = createReadiness();
  const lifecycle = createLifecycle({
    logger,
    readiness,
    timeoutMs: config.shutdown.timeoutMs,
    drainDelayMs: config.shutdown.drainDelayMs,
  });
  return startOrUnwind(lifecycle, () =>
    start(config, { logger, clock, now, readiness, lifecycle, bus: options.bus }),
  );
}

async function start(
  config: TokenConfig,
  parts: {
    logger: Logger;
    clock: Clock;
    now: () => number;
    readiness: ReturnType<typeof createReadiness>;
    lifecycle: Lifecycle;
    bus: EventBus | undefined;
  },
): Promise<TokenService> {
  const { logger, clock, now, readiness, lifecycle } = parts;

  const pool = createPool({
    ...config.database,
    applicationName: 'nes-token',
    schema: SCHEMA,
    logger,
  });
  lifecycle.onStop('postgres', () => pool.end());
  await runMigrations({ pool, schema: SCHEMA, dirs: [MIGRATIONS_DIR], logger });
  // Grants need only the signing keys in memory: Postgres (key rounds),
  // Redis (counters, revocations), registration (cache misses) and the bus
  // (cache invalidation) are reported but do not take a replica out of its
  // Service — their outage would take every replica out at once, and refuse
  // cached devices that could still be served.
  const optional = { required: false };
  readiness.register('postgres', postgresReadinessCheck(pool), optional);

  const redis = createRedis(config.redis, logger);
  lifecycle.onStop('redis', () => redis.close());
  readiness.register('redis', redis.check, optional);

  const registration = await createRegistrationApi({
    target: config.registration.grpcTarget,
    deadlineMs: config.registration.deadlineMs,
    tls: config.registration.tls,
  });
  lifecycle.onStop('registration-grpc', () => registration.close());
  readiness.register('registration', () => registration.check(), optional);

  const metrics = createMetrics({ service: 'token' });
  const tokenMetrics = createTokenMetrics(metrics);

  const schedule: KeySchedule = {
    rotationIntervalMs: config.keys.rotationIntervalSeconds * 1000,
    publishLeadMs: config.keys.publishLeadSeconds * 1000,
    tokenLifetimeMs: config.token.lifetimeSeconds * 1000,
    clockSkewMs: CLOCK_SKEW_MS,
  };
  const ring = createKeyRing(schedule);
  const keyManager = createKeyManager({
    pool,
    ring,
    schedule,
    algorithm: config.keys.algorithm,
    encryptionKey: config.keys.encryptionKey,
    previousEncryptionKeys: config.keys.previousEncryptionKeys ?? [],
    refreshIntervalMs: config.keys.refreshIntervalSeconds * 1000,
    now,
    logger,
    metrics: tokenMetrics,
  });
  await keyManager.refresh();
  keyManager.start();
  lifecycle.onStop('signing-keys', () => keyManager.stop());
  readiness.register('signing-keys', () => keyManager.check());

  const bf = config.bruteForce;
  const throttle = createAuthThrottle({
    redis: redis.client,
    keyPrefix: config.redis.keyPrefix,
    enabled: bf.enabled,
    settings: {
      pairFreeFailures: bf.pairFreeFailures,
      pairWindowMs: bf.pairWindowSeconds * 1000,
      pairBaseBlockMs: bf.pairBaseBlockSeconds * 1000,
      pairMaxBlockMs: bf.pairMaxBlockSeconds * 1000,
      ipMaxFailures: bf.ipMaxFailures,
      ipWindowMs: bf.ipWindowSeconds * 1000,
      clientMaxFailures: bf.clientMaxFailures,
      clientWindowMs: bf.clientWindowSeconds * 1000,
      knownPairMs: bf.knownPairSeconds * 1000,
    },
    logger: logger.child({ subsystem: 'brute-force' }),
    metrics: tokenMetrics,
  });
  const clients = createClientAuthenticator({
    registration,
    throttle,
    redis: redis.client,
    keyPrefix: config.redis.keyPrefix,
    now,
    cacheTtlMs: config.clientCache.ttlSeconds * 1000,
    cacheMaxEntries: config.clientCache.maxEntries,
    registrationDeadlineMs: config.registration.deadlineMs,
    assertion: {
      maxLifetimeMs: config.clientAssertion.maxLifetimeSeconds * 1000,
      clockSkewMs: config.clientAssertion.clockSkewSeconds * 1000,
    },
    logger: logger.child({ subsystem: 'clients' }),
  });
  const endpoints = endpointsFor(config.issuer);
  const context: TokenContext = {
    config,
    logger,
    clock,
    metrics: tokenMetrics,
    clients,
    tokens: createAccessTokens({
      ring,
      issuer: endpoints.issuer,
      audience: config.token.audience,
      lifetimeSeconds: config.token.lifetimeSeconds,
      now,
    }),
    revocations: createRevocations(redis.client, config.redis.keyPrefix, now),
    ring,
    endpoints,
  };

  const bus = parts.bus ?? (await createBus(config, logger));
  if (parts.bus === undefined) lifecycle.onStop('bus', () => bus.close());
  const subscription = await subscribeClientChanges({
    bus,
    clients,
    metrics: tokenMetrics,
    logger,
    group: replicaGroup(config.serverHost, randomBytes(6).toString('hex')),
  });
  lifecycle.onStop('client-events', () => subscription.close());
  readiness.register('bus', busReadinessCheck(bus), optional);

  const app = await createHttpServer({
    config: config.http,
    logger,
    metrics,
    readiness,
    trustProxy: config.http.trustProxy,
    // Repeat grants of cached clients are answered before fastify (fast-token-path.ts).
    preRouting: (server, observe) => fastTokenPath(server, context, observe),
    openapi: {
      title: 'NES token service',
      version: '1.0.0',
      description: 'OAuth 2.0 access tokens for registered devices (client_credentials)',
    },
  });
  addFormBodyParser(app);
  addTokenRoute(app, context);
  addIntrospectionRoute(app, context);
  addRevocationRoute(app, context);
  addDiscoveryRoutes(app, context);
  lifecycle.onStop('http', () => app.close()); // registered last: stops first
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ url, issuer: config.issuer }, 'token service listening');
  return { lifecycle, context, app, keys: keyManager, url };
}

async function createBus(config: TokenConfig, logger: Logger): Promise<EventBus> {
  if (config.bus.kind === 'kafka') {
    return createKafkaBus({ brokers: config.bus.brokers, clientId: 'nes-token', logger });
  }
  return createPostgresBus({ connectionString: config.database.url, logger });
}
