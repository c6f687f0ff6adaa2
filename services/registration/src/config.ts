import { hostname } from 'node:os';
import {
  busSection,
  databaseSection,
  envBool,
  envInt,
  envList,
  envString,
  envUrl,
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
import { parseAdminKeyEntry, type AdminKeyEntry } from './domain/admin-keys.js';
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

/** A comma-separated list of `kid:secret`. */
function signingKeyList() {
  return envList({ max: 16 }).transform((items, ctx): SigningKey[] => {
    const keys: SigningKey[] = [];
    items.forEach((item, index) => {
      const parsed = parseSigningKey(item);
      if (typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', message: `item ${index + 1}: ${parsed}` });
      else keys.push(parsed);
    });
    return keys;
  });
}

/** A comma-separated list of `name:sha256hex`. */
function adminKeyList() {
  return envList({ max: 64 }).transform((items, ctx): AdminKeyEntry[] => {
    const entries: AdminKeyEntry[] = [];
    items.forEach((item, index) => {
      const parsed = parseAdminKeyEntry(item);
      if (typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', message: `item ${index + 1}: ${parsed}` });
      else entries.push(parsed);
    });
    const names = entries.map((e) => e.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined)
      ctx.addIssue({ code: 'custom', message: `name '${duplicate}' appears twice` });
    return entries;
  });
}

/**
 * fastify's trustProxy: `false` (default), `true` (trust every hop — only
 * behind a proxy that overwrites X-Forwarded-For), or a list of proxy
 * addresses/CIDRs whose X-Forwarded-For is believed.
 */
function trustProxy() {
  return envString({ max: 2048 }).transform((text, ctx): boolean | string[] => {
    const lower = text.toLowerCase();
    if (lower === 'false') return false;
    if (lower === 'true') return true;
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length > 0 && items.every((s) => /^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(s)))
      return items;
    ctx.addIssue({
      code: 'custom',
      message: 'expected true, false or a list of IP addresses/CIDRs',
    });
    return z.NEVER;
  });
}

/** A public base URL without trailing slash, query or fragment. */
function publicUrl() {
  return envUrl({ protocols: ['https', 'http'] }).transform((text, ctx) => {
    const url = new URL(text);
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a base URL without credentials, query or fragment',
      });
      return z.NEVER;
    }
    return url.toString().replace(/\/+$/, '');
  });
}

/** The service's configuration schema; see README.md for every variable. */
export const configSchema = z.object({
  http: httpSection({ port: 8081 }).extend({ trustProxy: trustProxy().default(false) }),
  grpc: grpcSection({ port: 50061 }),
  database: databaseSection(),
  redis: redisSection().extend({
    keyPrefix: envString({ max: 64 }).default('nes:registration:'),
  }),
  bus: busSection(),
  log: logSection(),
  shutdown: shutdownSection(),
  /** The URL devices reach NES at: the MDM JSON's nesUrl, the CRT issuer, registration_client_uri's base. */
  publicUrl: publicUrl(),
  /** This replica's machine name, recorded as the creator of the clients it registers. */
  serverHost: envString({ max: 255 }).default(hostname()),
  crt: z.object({
    signingKey: secret(signingKey()),
    previousSigningKeys: secret(signingKeyList()).optional(),
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
    /** `name:sha256hex` entries; without any, the admin API refuses every request. */
    apiKeys: secret(adminKeyList()).optional(),
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
