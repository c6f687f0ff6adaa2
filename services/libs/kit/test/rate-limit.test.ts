import { setTimeout as sleep } from 'node:timers/promises';
import { getInfra, uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRateLimiter, createRedis, type RedisHandle } from '../src/index.js';

const logger = createLogger({ service: 'kit-rate-limit-test', level: 'silent' });

describe('createRateLimiter', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = createRedis({ url: getInfra().redis.url }, logger);
    await redis.connected;
  });
  afterAll(() => redis.close());

  it('allows up to the limit in a window, then refuses with the time left', async () => {
    const limiter = createRateLimiter(redis.client, { prefix: `${uniqueName('rl')}:` });
    const rule = { limit: 3, windowMs: 10_000 };
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await limiter.hit('k', rule));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(results[4]?.count).toBe(5);
    expect(results[4]?.resetMs).toBeGreaterThan(9_000);
    expect(results[4]?.resetMs).toBeLessThanOrEqual(10_000);
    // Another key has its own window.
    expect((await limiter.hit('other', rule)).allowed).toBe(true);
  });

  it('counts exactly under concurrency and starts again after the window', async () => {
    const prefix = `${uniqueName('rl')}:`;
    const limiter = createRateLimiter(redis.client, { prefix });
    const rule = { limit: 10, windowMs: 300 };
    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.hit('k', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    // The counter key always carries an expiry.
    expect(await redis.client.pTTL(`${prefix}k`)).toBeGreaterThan(0);
    await sleep(350);
    expect((await limiter.hit('k', rule)).allowed).toBe(true);
  });

  it('refuses nonsensical rules', async () => {
    const limiter = createRateLimiter(redis.client, { prefix: 'x:' });
    await expect(limiter.hit('k', { limit: 0, windowMs: 1000 })).rejects.toThrow(RangeError);
    await expect(limiter.hit('k', { limit: 1, windowMs: 0.5 })).rejects.toThrow(RangeError);
  });
});
