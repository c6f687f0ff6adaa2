import { createRateLimiter, type Logger, type RedisClient } from '@nes/kit';
import {
  pairBlockMs,
  throttleDecision,
  type BruteForceSettings,
  type ThrottleState,
} from '../domain/brute-force.js';
import { ClientAuthThrottledError } from '../errors.js';
import type { TokenMetrics } from '../metrics.js';

/** Brute-force protection of client authentication; see domain/brute-force.ts. */
export interface AuthThrottle {
  /** @throws ClientAuthThrottledError when the pair, IP or client is over its limit. */
  check(clientId: string, ip: string): Promise<void>;
  /** Counts a failed authentication (and blocks the pair when due). */
  recordFailure(clientId: string, ip: string): Promise<void>;
  /** Clears the pair's failures and remembers it as known. */
  recordSuccess(clientId: string, ip: string): Promise<void>;
}

/** Options of {@link createAuthThrottle}. */
export interface AuthThrottleOptions {
  readonly redis: RedisClient;
  /** Key prefix of the service (e.g. `nes:token:`). */
  readonly keyPrefix: string;
  readonly settings: BruteForceSettings;
  readonly enabled: boolean;
  readonly logger: Logger;
  readonly metrics: TokenMetrics;
}

const LOG_INTERVAL_MS = 10_000;

/**
 * Redis-backed counters shared by every replica. When Redis cannot be
 * reached, authentication goes ahead (counted and logged at most every 10 s):
 * the registration service's constant-time secret check is the real gate,
 * and devices must not lose their tokens because a cache is down.
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { redis, settings, logger, metrics } = options;
  const prefix = `${options.keyPrefix}bf:`;
  const limiter = createRateLimiter(redis, { prefix });
  const pairKey = (clientId: string, ip: string) => `pair:${clientId}|${ip}`;
  const blockKey = (clientId: string, ip: string) => `${prefix}block:${clientId}|${ip}`;
  const knownKey = (clientId: string, ip: string) => `${prefix}known:${clientId}|${ip}`;
  let lastLogged = 0;

  function unavailable(error: unknown, action: string): void {
    metrics.throttleUnavailable();
    const now = Date.now();
    if (now - lastLogged < LOG_INTERVAL_MS) return;
    lastLogged = now;
    logger.warn({ err: error, action }, 'brute-force counters unavailable; request let through');
  }

  if (!options.enabled) {
    return {
      check: () => Promise.resolve(),
      recordFailure: () => Promise.resolve(),
      recordSuccess: () => Promise.resolve(),
    };
  }

  return {
    async check(clientId, ip) {
      let state: ThrottleState;
      try {
        const ipKey = `${prefix}ip:${ip}`;
        const clientKey = `${prefix}client:${clientId}`;
        const replies = (await redis
          .multi()
          .pTTL(blockKey(clientId, ip))
          .get(ipKey)
          .pTTL(ipKey)
          .get(clientKey)
          .pTTL(clientKey)
          .exists(knownKey(clientId, ip))
          .exec()) as unknown[];
        const [block, ipCount, ipTtl, clientCount, clientTtl, known] = replies.map((r) =>
          r === null || r === undefined ? 0 : Number(r),
        );
        state = {
          pairBlockRemainingMs: Math.max(0, block ?? 0),
          ipFailures: ipCount ?? 0,
          ipResetMs: Math.max(0, ipTtl ?? 0),
          clientFailures: clientCount ?? 0,
          clientResetMs: Math.max(0, clientTtl ?? 0),
          knownPair: (known ?? 0) > 0,
        };
      } catch (error) {
        unavailable(error, 'check');
        return;
      }
      const decision = throttleDecision(state, settings);
      if (!decision.allowed) {
        metrics.throttled(decision.limit);
        throw new ClientAuthThrottledError(decision.retryAfterMs);
      }
    },

    async recordFailure(clientId, ip) {
      try {
        // The limits themselves are applied by check(); these hits only count.
        const [pair] = await Promise.all([
          limiter.hit(pairKey(clientId, ip), { limit: 1, windowMs: settings.pairWindowMs }),
          limiter.hit(`ip:${ip}`, { limit: 1, windowMs: settings.ipWindowMs }),
          limiter.hit(`client:${clientId}`, { limit: 1, windowMs: settings.clientWindowMs }),
        ]);
        const blockMs = pairBlockMs(pair.count, settings);
        if (blockMs > 0) {
          await redis.set(blockKey(clientId, ip), '1', {
            expiration: { type: 'PX', value: blockMs },
          });
        }
      } catch (error) {
        unavailable(error, 'record_failure');
      }
    },

    async recordSuccess(clientId, ip) {
      try {
        const multi = redis
          .multi()
          .del([`${prefix}${pairKey(clientId, ip)}`, blockKey(clientId, ip)]);
        if (settings.knownPairMs > 0) {
          multi.set(knownKey(clientId, ip), '1', {
            expiration: { type: 'PX', value: settings.knownPairMs },
          });
        }
        await multi.exec();
      } catch (error) {
        unavailable(error, 'record_success');
      }
    },
  };
}
