import { describe, expect, it } from 'vitest';

import { backoffDelay, checkBackoffPolicy, type BackoffPolicy } from './backoff.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 };

describe('backoffDelay', () => {
  it('grows exponentially from the initial delay without jitter', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n, noJitter))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('is capped at maxMs, also for huge retry counts', () => {
    expect(backoffDelay(policy, 5, () => 0)).toBe(1000);
    expect(backoffDelay(policy, 10_000, () => 0)).toBe(1000);
  });

  it('subtracts at most the jitter fraction', () => {
    expect(backoffDelay(policy, 1, () => 0.999_999)).toBe(50);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(300);
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelay(policy, 2);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });

  it('returns 0 before the first retry and for nonsense input', () => {
    expect(backoffDelay(policy, 0)).toBe(0);
    expect(backoffDelay(policy, Number.NaN)).toBe(0);
  });

  it('treats a multiplier below 1 as constant backoff', () => {
    expect(backoffDelay({ ...policy, multiplier: 0.5 }, 4, () => 0)).toBe(100);
  });
});

describe('checkBackoffPolicy', () => {
  it('accepts a sane policy and names the bad field otherwise', () => {
    expect(checkBackoffPolicy(policy, 'p')).toBe(policy);
    expect(() => checkBackoffPolicy({ ...policy, maxMs: 50 }, 'p')).toThrow('p.maxMs');
    expect(() => checkBackoffPolicy({ ...policy, jitter: 2 }, 'p')).toThrow('p.jitter');
    expect(() => checkBackoffPolicy({ ...policy, multiplier: 0 }, 'p')).toThrow('p.multiplier');
    expect(() => checkBackoffPolicy({ ...policy, initialMs: -1 }, 'p')).toThrow('p.initialMs');
  });
});
