import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  InvalidClientError,
  TemporarilyUnavailableError,
  type Logger,
  type RedisClient,
} from '@nes/kit';
import type { ClientCredentials } from '../domain/client-credentials.js';
import { createLruCache } from '../domain/lru-cache.js';
import type { AuthThrottle } from './auth-throttle.js';
import { assertionIssuer, verifyClientAssertion } from './client-assertion.js';
import type { RegisteredClient, RegistrationApi } from './registration-client.js';

/** An authenticated client, shaped for the token path (strings precomputed once). */
export interface AuthenticatedClient {
  readonly clientId: string;
  /** `JSON.stringify(clientId)`, spliced into token payloads. */
  readonly clientIdJson: string;
  readonly scopes: ReadonlySet<string>;
  /** Every scope of the client, space-separated: granted when a request names none. */
  readonly defaultScope: string;
  /** `JSON.stringify(defaultScope)`. */
  readonly defaultScopeJson: string;
}

/** The outcome of a successful authentication. */
export interface ClientAuthResult {
  readonly client: AuthenticatedClient;
  /** Whether a cached verification answered (no call to registration). */
  readonly cache: 'hit' | 'miss';
}

/** Where the request came from, for the brute-force counters and logs. */
export interface RequestFacts {
  readonly ip: string;
  readonly requestId: string;
  /** Values a client assertion's `aud` may name (issuer and endpoint URLs). */
  readonly audiences: readonly string[];
}

/** Authenticates clients, with the verified-client cache in front of the registration service. */
export interface ClientAuthenticator {
  /**
   * @throws InvalidClientError, ClientAuthThrottledError or
   *   TemporarilyUnavailableError.
   */
  authenticate(credentials: ClientCredentials, facts: RequestFacts): Promise<ClientAuthResult>;
  /**
   * The client when `clientId` and `secret` match a verification cached
   * moments ago (compared in constant time), undefined otherwise. No side
   * effect — no counter, no call — so a caller may ask first and still send
   * the request down the full path when the answer is undefined.
   */
  cachedSecretClient(clientId: string, secret: string): AuthenticatedClient | undefined;
  /** Drops everything cached about a client, at once (client updated or deleted). */
  invalidate(clientId: string): void;
  /** Drops the whole cache (e.g. after the event subscription was interrupted). */
  clear(): void;
}

/** Options of {@link createClientAuthenticator}. */
export interface ClientAuthenticatorOptions {
  readonly registration: RegistrationApi;
  readonly throttle: AuthThrottle;
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  readonly now: () => number;
  readonly cacheTtlMs: number;
  readonly cacheMaxEntries: number;
  /** Bound of a registration call, so an invalidation racing one is not missed. */
  readonly registrationDeadlineMs: number;
  readonly assertion: { readonly maxLifetimeMs: number; readonly clockSkewMs: number };
  readonly logger: Logger;
}

interface CachedSecret {
  /** SHA-256 of a per-process random key and the verified secret: never the secret itself. */
  readonly mac: Buffer;
  readonly client: AuthenticatedClient;
}

function toAuthenticated(client: RegisteredClient): AuthenticatedClient {
  const scopes = [...new Set(client.scopes)];
  return {
    clientId: client.clientId,
    clientIdJson: JSON.stringify(client.clientId),
    scopes: new Set(scopes),
    defaultScope: scopes.join(' '),
    defaultScopeJson: JSON.stringify(scopes.join(' ')),
  };
}

/**
 * Client authentication for the token, introspection and revocation
 * endpoints.
 *
 * Secrets (client_secret_basic/post): a successful verification by the
 * registration service is cached per client id together with a keyed hash of the
 * secret that was verified (keyed by a random per-process key, so neither
 * the secret nor its stored SHA-256 form is in memory). A later request hits
 * the cache only when its client id and secret fingerprint both match (compared in
 * constant time); anything else goes to the brute-force check and then to
 * registration. Entries live `cacheTtlMs` at most and are dropped at once
 * when a client event arrives (`invalidate`). A verification that was in
 * flight while an invalidation arrived is not cached.
 *
 * private_key_jwt (RFC 7523): the client's registered keys are cached the
 * same way; every assertion is verified and its `jti` claimed in Redis
 * (single use across replicas — refused with 503 when Redis is down, since a
 * replay could not be detected).
 */
export function createClientAuthenticator(
  options: ClientAuthenticatorOptions,
): ClientAuthenticator {
  const { registration, throttle, redis, now } = options;
  // A random per-process prefix makes the fingerprint differ from the stored
  // SHA-256(secret); one-shot hash() is several times cheaper than an HMAC object.
  const macKey = randomBytes(32).toString('base64url');
  const secrets = createLruCache<CachedSecret>({
    maxEntries: options.cacheMaxEntries,
    ttlMs: options.cacheTtlMs,
    now,
  });
  const keySets = createLruCache<RegisteredClient>({
    maxEntries: options.cacheMaxEntries,
    ttlMs: options.cacheTtlMs,
    now,
  });
  // Invalidations of the last moments, to spot one racing a registration call.
  let invalidationSeq = 0;
  let clearedSeq = 0;
  const recentInvalidations = createLruCache<number>({
    maxEntries: 100_000,
    ttlMs: options.registrationDeadlineMs + 5_000,
    now,
  });
  const invalidatedSince = (clientId: string, seq: number) =>
    clearedSeq > seq || (recentInvalidations.get(clientId) ?? 0) > seq;

  const macOf = (secret: string) => hash('sha256', `${macKey}:${secret}`, 'buffer');

  async function failed(clientId: string, ip: string, error: unknown): Promise<never> {
    if (error instanceof InvalidClientError) await throttle.recordFailure(clientId, ip);
    throw error;
  }

  async function claimAssertion(clientId: string, jti: string, exp: number): Promise<void> {
    const digest = createHash('sha256').update(jti, 'utf8').digest('base64url');
    const key = `${options.keyPrefix}assertion:${clientId}|${digest}`;
    let reply: string | null;
    try {
      reply = await redis.set(key, '1', {
        condition: 'NX',
        expiration: { type: 'PXAT', value: exp * 1000 + options.assertion.clockSkewMs },
      });
    } catch (error) {
      throw new TemporarilyUnavailableError('cannot check client assertion replay right now', {
        cause: error,
      });
    }
    if (reply === null) throw new InvalidClientError('client_assertion was already used');
  }

  async function withSecret(
    clientId: string,
    secret: string,
    facts: RequestFacts,
  ): Promise<ClientAuthResult> {
    const mac = macOf(secret);
    const cached = secrets.get(clientId);
    if (cached !== undefined && timingSafeEqual(cached.mac, mac)) {
      return { client: cached.client, cache: 'hit' };
    }
    await throttle.check(clientId, facts.ip);
    const seq = invalidationSeq;
    let registered: RegisteredClient;
    try {
      registered = await registration.authenticateClient(clientId, secret, facts.requestId);
    } catch (error) {
      return failed(clientId, facts.ip, error);
    }
    const client = toAuthenticated(registered);
    if (!invalidatedSince(clientId, seq)) secrets.set(clientId, { mac, client });
    void throttle.recordSuccess(clientId, facts.ip);
    return { client, cache: 'miss' };
  }

  async function withAssertion(
    claimedId: string | undefined,
    assertion: string,
    facts: RequestFacts,
  ): Promise<ClientAuthResult> {
    const clientId = assertionIssuer(assertion);
    if (claimedId !== undefined && claimedId !== clientId) {
      throw new InvalidClientError('client_id does not match the client_assertion issuer');
    }
    await throttle.check(clientId, facts.ip);
    try {
      let registered = keySets.get(clientId);
      const cache = registered === undefined ? 'miss' : 'hit';
      if (registered === undefined) {
        const seq = invalidationSeq;
        registered = await registration.getClient(clientId, facts.requestId);
        if (registered === undefined) throw new InvalidClientError('client authentication failed');
        if (!invalidatedSince(clientId, seq)) keySets.set(clientId, registered);
      }
      const verified = await verifyClientAssertion(assertion, {
        clientId,
        jwks: registered.jwks,
        audiences: facts.audiences,
        now: now(),
        maxLifetimeMs: options.assertion.maxLifetimeMs,
        clockSkewMs: options.assertion.clockSkewMs,
      });
      await claimAssertion(clientId, verified.jti, verified.exp);
      if (cache === 'miss') void throttle.recordSuccess(clientId, facts.ip);
      return { client: toAuthenticated(registered), cache };
    } catch (error) {
      return failed(clientId, facts.ip, error);
    }
  }

  return {
    cachedSecretClient(clientId, secret) {
      const cached = secrets.get(clientId);
      return cached !== undefined && timingSafeEqual(cached.mac, macOf(secret))
        ? cached.client
        : undefined;
    },
    authenticate(credentials, facts) {
      return credentials.method === 'private_key_jwt'
        ? withAssertion(credentials.clientId, credentials.assertion, facts)
        : withSecret(credentials.clientId, credentials.secret, facts);
    },
    invalidate(clientId) {
      invalidationSeq += 1;
      recentInvalidations.set(clientId, invalidationSeq);
      secrets.delete(clientId);
      keySets.delete(clientId);
      options.logger.debug({ clientId }, 'cached client verification dropped');
    },
    clear() {
      invalidationSeq += 1;
      clearedSeq = invalidationSeq;
      secrets.clear();
      keySets.clear();
    },
  };
}
