import {
  busSection,
  clientTlsSection,
  ConfigError,
  databaseSection,
  envApiKeyList,
  envInt,
  envList,
  envString,
  envTrustProxy,
  envUrl,
  httpSection,
  logSection,
  parseConfig,
  redisSection,
  secret,
  shutdownSection,
  type Env,
} from '@nes/kit';
import { topics } from '@nes/proto';
import { z } from 'zod';

/** The prefix of every variable this service reads (both processes share them). */
export const ENV_PREFIX = 'NES_TEL_';

/** `host:port` of a gRPC server. */
function grpcTarget() {
  return envString({ max: 255 }).refine((text) => /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/.test(text), {
    message: 'expected host:port',
  });
}

/** A base URL without trailing slash. */
function baseUrl() {
  return envUrl({ protocols: ['https', 'http'] }).transform((text) => text.replace(/\/+$/, ''));
}

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** Topics whose audited events the service republishes on nes.audit.v1. */
export const DEFAULT_SOURCE_TOPICS = [
  topics.registration,
  topics.tap,
  topics.credential,
  topics.directory,
] as const;

/** The schema of every `NES_TEL_*` variable; see README.md. */
export const configSchema = z.object({
  http: httpSection({ port: 8084 }).extend({ trustProxy: envTrustProxy().default(false) }),
  database: databaseSection(),
  /** A read-only role (or a replica) for the analysts' queries; default: `DATABASE_URL`. */
  queryDatabase: z
    .object({
      url: secret(envUrl({ protocols: ['postgres', 'postgresql'] })),
      poolSize: envInt({ min: 1, max: 500 }).default(10),
    })
    .optional(),
  redis: redisSection().extend({ keyPrefix: envString({ max: 64 }).default('nes:telemetry:') }),
  bus: busSection(),
  /** Consumer-group timing of the Kafka consumers (tests shorten it). */
  consumer: z.object({
    sessionTimeoutMs: envInt({ min: 1000, max: 600_000 }).default(30_000),
    heartbeatIntervalMs: envInt({ min: 100, max: 60_000 }).default(3_000),
    maxWaitMs: envInt({ min: 10, max: 10_000 }).default(500),
  }),
  log: logSection(),
  shutdown: shutdownSection(),
  /** Access tokens of devices and analysts: the token service's issuer and JWKS. */
  auth: z.object({
    issuer: baseUrl().optional(),
    /** Default: `<issuer>/oauth2/jwks`. */
    jwksUri: envUrl({ protocols: ['https', 'http'] }).optional(),
    audience: envList({ max: 16, item: /^[\x21-\x7E]{1,255}$/ }).default(['nes']),
    deviceScope: envString({ max: 64 })
      .refine((s) => SCOPE.test(s), 'expected a scope token')
      .default('nymi-connect'),
    analystScope: envString({ max: 64 })
      .refine((s) => SCOPE.test(s), 'expected a scope token')
      .default('audit.read'),
    /** The token service's Redis key prefix, where revoked token ids live. */
    revocationKeyPrefix: envString({ max: 64 }).default('nes:token:'),
  }),
  /** The registration service's gRPC API (GetClient). */
  registration: z.object({
    grpcTarget: grpcTarget().optional(),
    deadlineMs: envInt({ min: 50, max: 30_000 }).default(2_000),
    tls: clientTlsSection().optional(),
  }),
  analysts: z.object({
    /** `name:sha256hex` entries (keys made by `nes-telemetry-analyst-key`). */
    apiKeys: secret(envApiKeyList()).optional(),
  }),
  ingest: z.object({
    /** Events per batch. */
    maxEvents: envInt({ min: 1, max: 10_000 }).default(1_000),
    /** How long a client's registration stays cached (invalidated by client events anyway). */
    clientCacheTtlSeconds: envInt({ min: 0, max: 3_600 }).default(60),
    /** How long client event ids are remembered for de-duplication. */
    receiptRetentionDays: envInt({ min: 1, max: 365 }).default(7),
  }),
  query: z.object({
    maxPageSize: envInt({ min: 1, max: 10_000 }).default(1_000),
    maxConcurrentExports: envInt({ min: 1, max: 100 }).default(4),
    /** Bound of one export (its statement runs that long at most). */
    exportTimeoutMs: envInt({ min: 1_000, max: 86_400_000 }).default(600_000),
    maxStreams: envInt({ min: 1, max: 10_000 }).default(50),
    streamPollMs: envInt({ min: 50, max: 60_000 }).default(500),
    streamHeartbeatMs: envInt({ min: 1_000, max: 300_000 }).default(15_000),
  }),
  /**
   * Outbox rows per publish: bigger batches keep the relay ahead of ingest
   * (it publishes one batch at a time). Events of one device share a key and
   * land in one partition, as one record batch: size nes.audit.v1's
   * max.message.bytes for a device's burst (≈1.5 KiB an event), e.g. 4 MiB.
   */
  relay: z.object({ batchSize: envInt({ min: 1, max: 10_000 }).default(1_000) }),
  republish: z.object({
    topics: envList({ max: 32, item: TOPIC, itemDescription: 'a topic name' }).default([
      ...DEFAULT_SOURCE_TOPICS,
    ]),
  }),
  projector: z.object({
    /** The projector process' /healthz, /readyz and /metrics. */
    httpPort: envInt({ min: 1, max: 65_535 }).default(8085),
    httpHost: envString({ max: 255 }).default('0.0.0.0'),
    group: envString({ max: 200 }).default('nes-telemetry-projector'),
    /** Partitions one projector processes at once (each its own batches). */
    concurrency: envInt({ min: 1, max: 64 }).default(4),
    /** Events written per transaction at most. */
    batchSize: envInt({ min: 1, max: 20_000 }).default(2_000),
    /** Tries of a failing batch before it is split to find the event to dead-letter. */
    maxAttempts: envInt({ min: 1, max: 100 }).default(5),
  }),
});

/** The parsed configuration, shared by the API and the projector process. */
export type TelemetryConfig = z.output<typeof configSchema>;

/** What the API process needs on top of the shared configuration. */
export type ApiConfig = TelemetryConfig & {
  readonly auth: TelemetryConfig['auth'] & { readonly issuer: string; readonly jwksUri: string };
  readonly registration: TelemetryConfig['registration'] & { readonly grpcTarget: string };
};

/**
 * Reads the configuration from `NES_TEL_*` variables.
 *
 * @throws ConfigError naming every missing or invalid variable.
 */
export function loadConfig(env: Env): TelemetryConfig {
  return parseConfig(configSchema, env, { prefix: ENV_PREFIX });
}

/**
 * The configuration of the API process: also requires the token issuer
 * (device and analyst access tokens) and the registration service's gRPC
 * target (client identities).
 *
 * @throws ConfigError naming every missing or invalid variable.
 */
export function loadApiConfig(env: Env): ApiConfig {
  let config: TelemetryConfig | undefined;
  let problems: ConfigError['problems'] = [];
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  return toApiConfig(config, problems, env);
}

function toApiConfig(
  config: TelemetryConfig | undefined,
  earlier: ConfigError['problems'],
  env: Env,
): ApiConfig {
  const problems = [...earlier];
  const missing = (name: string) => {
    const variable = `${ENV_PREFIX}${name}`;
    const raw = env[variable];
    if ((raw === undefined || raw.trim() === '') && !problems.some((p) => p.variable === variable))
      problems.push({ variable, message: 'required' });
  };
  missing('AUTH_ISSUER');
  missing('REGISTRATION_GRPC_TARGET');
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  const issuer = config.auth.issuer;
  const grpcTarget = config.registration.grpcTarget;
  if (issuer === undefined || grpcTarget === undefined) throw new ConfigError(problems);
  return {
    ...config,
    auth: { ...config.auth, issuer, jwksUri: config.auth.jwksUri ?? `${issuer}/oauth2/jwks` },
    registration: { ...config.registration, grpcTarget },
  };
}
