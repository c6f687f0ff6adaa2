import { hostname } from 'node:os';
import {
  busSection,
  clientTlsSection,
  databaseSection,
  envBaseUrl,
  envBool,
  envEnum,
  envInt,
  envList,
  envParsedList,
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
import { z } from 'zod';
import { parseEncryptionKey, type EncryptionKey } from './keys/key-encryption.js';
import { SIGNING_ALGORITHMS } from './keys/signing-algorithms.js';

/** The prefix of every variable this service reads. */
export const ENV_PREFIX = 'NES_TOKEN_';

const DAY = 86_400;

/** This service's wording of two of kit's errors, as operators have seen it. */
/** `kek-id:base64url(32 bytes)`; secret, so its value never appears in an error. */
function encryptionKey() {
  return envString({ max: 256 }).transform((text, ctx): EncryptionKey => {
    const parsed = parseEncryptionKey(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });
}

/** A `host:port` gRPC target. */
function grpcTarget() {
  return envString({ max: 255 }).refine((text) => /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(text), {
    message: 'expected host:port',
  });
}

/** The service's configuration schema; see README.md for every variable. */
export const configSchema = z
  .object({
    http: httpSection({ port: 8082 }).extend({
      /** fastify's trustProxy: it decides which address the brute-force limits count per IP. */
      trustProxy: envTrustProxy().default(false),
    }),
    database: databaseSection(),
    redis: redisSection().extend({
      keyPrefix: envString({ max: 64 }).default('nes:token:'),
    }),
    bus: busSection(),
    log: logSection(),
    shutdown: shutdownSection().extend({
      /** Pause between turning not-ready and closing, so load balancers stop routing here. */
      drainDelayMs: envInt({ min: 0, max: 60_000 }).default(0),
    }),
    /** This service's public URL: the `iss` of every token and the base of its endpoints. */
    issuer: envBaseUrl(),
    /** The registration service's RFC 7591 endpoint, advertised in the server metadata. */
    registrationEndpoint: envUrl({ protocols: ['https', 'http'] }).optional(),
    /** This replica's name (per-replica consumer group of client events). */
    serverHost: envString({ max: 200 }).default(hostname()),
    registration: z.object({
      /** gRPC address of the registration service (AuthenticateClient, GetClient). */
      grpcTarget: grpcTarget(),
      deadlineMs: envInt({ min: 50, max: 30_000 }).default(2_000),
      tls: clientTlsSection().optional(),
    }),
    token: z.object({
      lifetimeSeconds: envInt({ min: 5, max: DAY }).default(600),
      /** `aud` of every access token: the resource servers that accept them. */
      audience: envList({ max: 16, item: /^[\x21-\x7E]{1,255}$/ }).default(['nes']),
      /** Advertised as scopes_supported. */
      scopesSupported: envList({ max: 64, item: /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/ }).default([
        'nymi-connect',
      ]),
    }),
    keys: z.object({
      encryptionKey: secret(encryptionKey()),
      /** Older key-encryption keys, for keys sealed before a KEK rotation (re-sealed on start). */
      previousEncryptionKeys: secret(envParsedList(parseEncryptionKey, { max: 16 })).optional(),
      algorithm: envEnum(SIGNING_ALGORITHMS).default('ES256'),
      rotationIntervalSeconds: envInt({ min: 60, max: 365 * DAY }).default(7 * DAY),
      /** How long a new key is in the JWKS before it signs anything. */
      publishLeadSeconds: envInt({ min: 1, max: 30 * DAY }).default(DAY),
      /** How often a replica reloads the key set (and rotates when due). */
      refreshIntervalSeconds: envInt({ min: 1, max: 3_600 }).default(60),
    }),
    jwks: z.object({
      /** Cache-Control max-age of the JWKS document. */
      maxAgeSeconds: envInt({ min: 0, max: DAY }).default(300),
    }),
    clientCache: z.object({
      /** How long a verified client stays cached without asking registration again. */
      ttlSeconds: envInt({ min: 0, max: 3_600 }).default(30),
      maxEntries: envInt({ min: 1, max: 10_000_000 }).default(100_000),
    }),
    clientAssertion: z.object({
      /** Longest `exp - now` accepted on a private_key_jwt assertion (RFC 7523). */
      maxLifetimeSeconds: envInt({ min: 10, max: 3_600 }).default(300),
      clockSkewSeconds: envInt({ min: 0, max: 300 }).default(30),
    }),
    introspection: z.object({
      /** Clients that may introspect any token; every other client only its own. */
      privilegedClients: envList({ max: 64, item: /^[\x21-\x7E]{1,128}$/ }).optional(),
    }),
    bruteForce: z.object({
      enabled: envBool().default(true),
      /** Failures of one (client, IP) pair that cost nothing within the window. */
      pairFreeFailures: envInt({ min: 1, max: 1_000 }).default(5),
      pairWindowSeconds: envInt({ min: 1, max: DAY }).default(900),
      /** The first block of a pair; doubled per further failure up to the maximum. */
      pairBaseBlockSeconds: envInt({ min: 1, max: 3_600 }).default(1),
      pairMaxBlockSeconds: envInt({ min: 1, max: DAY }).default(60),
      /** Failures from one IP, any client, per window. */
      ipMaxFailures: envInt({ min: 1, max: 1_000_000 }).default(100),
      ipWindowSeconds: envInt({ min: 1, max: DAY }).default(300),
      /** Failures for one client id, any IP, per window (IPs it succeeded from are spared). */
      clientMaxFailures: envInt({ min: 1, max: 1_000_000 }).default(300),
      clientWindowSeconds: envInt({ min: 1, max: DAY }).default(300),
      /** How long a (client, IP) pair that authenticated stays exempt from the client cap. */
      knownPairSeconds: envInt({ min: 0, max: 30 * DAY }).default(DAY),
    }),
  })
  .superRefine((config, ctx) => {
    const keys = config.keys;
    if (keys.publishLeadSeconds >= keys.rotationIntervalSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['keys', 'publishLeadSeconds'],
        message: 'must be shorter than the rotation interval',
      });
    }
    const needed = config.jwks.maxAgeSeconds + keys.refreshIntervalSeconds;
    if (keys.publishLeadSeconds < needed) {
      ctx.addIssue({
        code: 'custom',
        path: ['keys', 'publishLeadSeconds'],
        message: `must be at least the JWKS max-age plus the refresh interval (${needed} s), so every verifier knows a key before it signs`,
      });
    }
    const kekIds = [keys.encryptionKey, ...(keys.previousEncryptionKeys ?? [])].map((k) => k.id);
    const duplicate = kekIds.find((id, i) => kekIds.indexOf(id) !== i);
    if (duplicate !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['keys', 'previousEncryptionKeys'],
        message: `key id '${duplicate}' appears twice`,
      });
    }
  });

/** The parsed configuration. */
export type TokenConfig = z.output<typeof configSchema>;

/**
 * Reads the configuration from `NES_TOKEN_*` variables.
 *
 * @throws ConfigError naming every missing or invalid variable.
 */
export function loadConfig(env: Env): TokenConfig {
  return parseConfig(configSchema, env, { prefix: ENV_PREFIX });
}
