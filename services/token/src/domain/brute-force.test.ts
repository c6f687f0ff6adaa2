import { describe, expect, it } from 'vitest';
import { pairBlockMs, throttleDecision, type BruteForceSettings } from './brute-force.js';

const settings: BruteForceSettings = {
  pairFreeFailures: 5,
  pairWindowMs: 900_000,
  pairBaseBlockMs: 1_000,
  pairMaxBlockMs: 60_000,
  ipMaxFailures: 100,
  ipWindowMs: 300_000,
  clientMaxFailures: 300,
  clientWindowMs: 300_000,
  knownPairMs: 86_400_000,
};

const clear = {
  pairBlockRemainingMs: 0,
  ipFailures: 0,
  ipResetMs: 0,
  clientFailures: 0,
  clientResetMs: 0,
  knownPair: false,
};

describe('pairBlockMs', () => {
  it('is free up to the allowance, then doubles up to the cap', () => {
    expect([1, 5, 6, 7, 8, 12, 13, 1000].map((n) => pairBlockMs(n, settings))).toEqual([
      0, 0, 1_000, 2_000, 4_000, 60_000, 60_000, 60_000,
    ]);
  });
});

describe('throttleDecision', () => {
  it('allows a clean pair', () => {
    expect(throttleDecision(clear, settings)).toEqual({ allowed: true });
  });

  it('refuses a blocked pair for the rest of its block', () => {
    expect(throttleDecision({ ...clear, pairBlockRemainingMs: 4_000 }, settings)).toEqual({
      allowed: false,
      retryAfterMs: 4_000,
      limit: 'pair',
    });
  });

  it('refuses an IP over its cap, whatever the client', () => {
    const state = { ...clear, ipFailures: 100, ipResetMs: 20_000, knownPair: true };
    expect(throttleDecision(state, settings)).toMatchObject({ allowed: false, limit: 'ip' });
  });

  it('applies the client cap only to pairs that never succeeded', () => {
    const attacked = { ...clear, clientFailures: 300, clientResetMs: 10_000 };
    expect(throttleDecision(attacked, settings)).toMatchObject({ allowed: false, limit: 'client' });
    expect(throttleDecision({ ...attacked, knownPair: true }, settings)).toEqual({ allowed: true });
  });
});
