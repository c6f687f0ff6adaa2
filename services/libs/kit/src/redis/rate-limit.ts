import type { RedisClient } from './create-redis.js';

/** One limit: at most `limit` hits per `windowMs` for a key. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** The outcome of one hit. */
export interface RateLimitResult {
  /** Whether this hit is within the limit. */
  readonly allowed: boolean;
  /** Hits counted in the current window, this one included. */
  readonly count: number;
  /** Hits left in the window (0 once the limit is reached). */
  readonly remaining: number;
  /** Time until the window ends and the count starts again. */
  readonly resetMs: number;
}

/** A fixed-window counter per key in Redis; see {@link createRateLimiter}. */
export interface RateLimiter {
  /** Counts one hit for `key` under `rule` and says whether it is allowed. */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
}

/**
 * INCR and the window's expiry in one atomic step: a key never outlives its
 * window (a crash between INCR and PEXPIRE would otherwise leave a counter
 * without expiry, limiting that key forever). The PTTL repair covers keys
 * that somehow lost their expiry.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * A fixed-window rate limiter over Redis, shared by every replica: the first
 * hit of a key starts a window of `windowMs`, and hits beyond `limit` in it
 * are refused until it ends. Fixed windows allow up to twice the limit across
 * a window boundary; that is the price of one round trip and one key per
 * limited thing, and fine for abuse protection.
 *
 * Keys are `prefix` + the caller's key; pass something that cannot collide
 * between limits (`register:ip:10.0.0.1`). What to do when Redis is down is
 * the caller's decision: `hit` rejects with Redis' error.
 */
export function createRateLimiter(client: RedisClient, options: { prefix: string }): RateLimiter {
  return {
    async hit(key, rule) {
      if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) {
        throw new RangeError(`rate limit must be a positive integer, got ${rule.limit}`);
      }
      if (!Number.isSafeInteger(rule.windowMs) || rule.windowMs < 1) {
        throw new RangeError(`rate limit window must be a positive integer, got ${rule.windowMs}`);
      }
      const reply = (await client.eval(HIT_SCRIPT, {
        keys: [`${options.prefix}${key}`],
        arguments: [String(rule.windowMs)],
      })) as unknown;
      const [count, ttl] = Array.isArray(reply) ? reply.map(Number) : [];
      if (count === undefined || ttl === undefined || Number.isNaN(count) || Number.isNaN(ttl)) {
        throw new Error('unexpected reply from the rate limit script');
      }
      return {
        allowed: count <= rule.limit,
        count,
        remaining: Math.max(0, rule.limit - count),
        resetMs: Math.max(0, ttl),
      };
    },
  };
}
