import { hostname } from 'node:os';
import {
  busSection,
  databaseSection,
  envApiKeyList,
  envBaseUrl,
  envBool,
  envInt,
  envParsedList,
  envString,
  envTrustProxy,
  grpcSection,
  httpSection,
  logSection,
  parseConfig,
  redisSection,
  secret,
  shutdownSection,
  type Env,
} from '@nes/kit';
import { z } from 'zod';
import { parseSigningKey, type SigningKey } from './domain/signing-keys.js';

/** The prefix of every variable this service reads. */
export const ENV_PREFIX = 'NES_REG_';

/** `kid:base64url-secret` (secret: its value never appears in an error). */
function signingKey() {
  return envString({ max: 512 }).transform((text, ctx): SigningKey => {
    const parsed = parseSigningKey(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });
}

/** The service's configuration schema; see README.md for every variable. */
export const configSchema = z.object({
  http: httpSection({ port: 8081 }).extend({ trustProxy: envTrustProxy().default(false) }),
  grpc: grpcSection({ port: 50061 }),
  database: databaseSection(),
  redis: redisSection().extend({
    keyPrefix: envString({ max: 64 }).default('nes:registration:'),
  }),
  bus: busSection(),
  log: logSection(),
  shutdown: shutdownSection(),
  /** The URL devices reach NES at: the MDM JSON's nesUrl, the CRT issuer, registration_client_uri's base. */
  publicUrl: envBaseUrl(),
  /** This replica's machine name, recorded as the creator of the clients it registers. */
  serverHost: envString({ max: 255 }).default(hostname()),
  crt: z.object({
    signingKey: secret(signingKey()),
    /** A comma-separated list of `kid:secret`. */
    previousSigningKeys: secret(envParsedList(parseSigningKey, { max: 16 })).optional(),
    /** How long a new CRT's value stays fetchable as a QR code; 0 = not at all. */
    qrTtlSeconds: envInt({ min: 0, max: 86_400 }).default(600),
    /** Longest lifetime of a CRT (5 years). */
    maxLifetimeDays: envInt({ min: 1, max: 3660 }).default(1826),
  }),
  client: z.object({
    /** Lifetime of client secrets; 0 = they do not expire (client_secret_expires_at 0). */
    secretTtlSeconds: envInt({ min: 0, max: 10 * 366 * 86_400 }).default(0),
  }),
  admin: z.object({
    /**
     * Administrator API keys (until the console signs administrators in
     * through the directory): `name:sha256hex` entries, the name written to
     * created_by/modified_by, the hash of a `nesadm_…` key made by
     * `pnpm --filter @nes/registration admin-key`. Without any, the admin API
     * refuses every request.
     */
    apiKeys: secret(envApiKeyList()).optional(),
  }),
  rateLimit: z.object({
    enabled: envBool().default(true),
    windowSeconds: envInt({ min: 1, max: 86_400 }).default(60),
    /** Registration attempts per client IP per window. */
    registerPerIp: envInt({ min: 1, max: 1_000_000 }).default(30),
    /** Registration attempts per CRT per window. */
    registerPerCrt: envInt({ min: 1, max: 1_000_000 }).default(600),
  }),
});

/** The parsed configuration. */
export type RegistrationConfig = z.output<typeof configSchema>;

/**
 * Reads the configuration from `NES_REG_*` variables.
 *
 * @throws ConfigError naming every missing or invalid variable.
 */
export function loadConfig(env: Env): RegistrationConfig {
  return parseConfig(configSchema, env, { prefix: ENV_PREFIX });
}
