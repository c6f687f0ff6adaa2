import { z } from 'zod';
import {
  envBool,
  envEnum,
  envInt,
  envList,
  envPort,
  envString,
  envUrl,
  hostPortPattern,
  secret,
} from './env-fields.js';

/**
 * Config sections every service composes into its schema, e.g.
 * `z.object({ http: httpSection(), database: databaseSection() })`, read from
 * `<PREFIX>HTTP_PORT`, `<PREFIX>DATABASE_URL`, …
 */

const MiB = 1024 * 1024;

/** `HTTP_PORT` (default 8080), `HTTP_HOST` (0.0.0.0), `HTTP_BODY_LIMIT_BYTES` (1 MiB). */
export function httpSection(defaults: { port?: number; host?: string } = {}) {
  return z.object({
    port: envPort().default(defaults.port ?? 8080),
    host: envString({ max: 255 }).default(defaults.host ?? '0.0.0.0'),
    bodyLimitBytes: envInt({ min: 1024, max: 64 * MiB }).default(MiB),
  });
}

/**
 * `DATABASE_URL` (secret: it may carry a password), `DATABASE_POOL_SIZE`
 * (10), `DATABASE_STATEMENT_TIMEOUT_MS` (30 s; 0 = none).
 */
export function databaseSection() {
  return z.object({
    url: secret(envUrl({ protocols: ['postgres', 'postgresql'] })),
    poolSize: envInt({ min: 1, max: 500 }).default(10),
    statementTimeoutMs: envInt({ min: 0, max: 3_600_000 }).default(30_000),
  });
}

/** `REDIS_URL` (secret: it may carry a password). */
export function redisSection() {
  return z.object({
    url: secret(envUrl({ protocols: ['redis', 'rediss'] })),
  });
}

/** Log levels pino knows, plus `silent`. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino level name. */
export type LogLevel = (typeof logLevels)[number];

/** `LOG_LEVEL` (info). */
export function logSection() {
  return z.object({ level: envEnum(logLevels).default('info') });
}

/** The event bus a service uses: Kafka brokers, or the Postgres-backed bus. */
export type BusConfig = { kind: 'kafka'; brokers: string[] } | { kind: 'postgres' };

/** `BUS_KIND` (kafka | postgres, default postgres), `BUS_BROKERS` (host:port,… — required for kafka). */
export function busSection() {
  return z
    .object({
      kind: envEnum(['kafka', 'postgres']).default('postgres'),
      brokers: envList({ item: hostPortPattern, itemDescription: 'host:port' }).optional(),
    })
    .transform((value, ctx): BusConfig => {
      if (value.kind === 'postgres') return { kind: 'postgres' };
      if (value.brokers) return { kind: 'kafka', brokers: value.brokers };
      ctx.addIssue({
        code: 'custom',
        path: ['brokers'],
        message: 'required when the bus kind is kafka',
      });
      return z.NEVER;
    });
}

/**
 * Server TLS from PEM files: `…_TLS_CERT_FILE`, `…_TLS_KEY_FILE`, and for
 * mutual TLS `…_TLS_CA_FILE` with `…_TLS_REQUIRE_CLIENT_CERT=true`.
 */
export function serverTlsSection() {
  return z
    .object({
      certFile: envString(),
      keyFile: envString(),
      caFile: envString().optional(),
      requireClientCert: envBool().default(false),
    })
    .transform((value, ctx) => {
      if (value.requireClientCert && value.caFile === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['caFile'],
          message: 'required when client certificates are required',
        });
        return z.NEVER;
      }
      return value;
    });
}

/** Client TLS from PEM files: `…_TLS_CA_FILE`, and for mutual TLS `…_TLS_CERT_FILE` + `…_TLS_KEY_FILE`. */
export function clientTlsSection() {
  return z
    .object({
      caFile: envString(),
      certFile: envString().optional(),
      keyFile: envString().optional(),
    })
    .transform((value, ctx) => {
      if ((value.certFile === undefined) !== (value.keyFile === undefined)) {
        const missing = value.certFile === undefined ? 'certFile' : 'keyFile';
        ctx.addIssue({
          code: 'custom',
          path: [missing],
          message: 'certificate and key go together',
        });
        return z.NEVER;
      }
      return value;
    });
}

/** `GRPC_PORT` (50051), `GRPC_HOST` (0.0.0.0), optional `GRPC_TLS_*` ({@link serverTlsSection}). */
export function grpcSection(defaults: { port?: number; host?: string } = {}) {
  return z.object({
    port: envPort().default(defaults.port ?? 50051),
    host: envString({ max: 255 }).default(defaults.host ?? '0.0.0.0'),
    tls: serverTlsSection().optional(),
  });
}

/** `SHUTDOWN_TIMEOUT_MS` (15 s): the bound on graceful shutdown, below Kubernetes' 30 s grace. */
export function shutdownSection() {
  return z.object({ timeoutMs: envInt({ min: 100, max: 600_000 }).default(15_000) });
}
