import { describe, expect, it } from 'vitest';
import { toInfra } from './inject.js';

describe('toInfra', () => {
  it('passes started components through', () => {
    const infra = toInfra({ mode: 'local', components: ['redis'], redis: { url: 'redis://h:1' } });
    expect(infra.mode).toBe('local');
    expect(infra.redis.url).toBe('redis://h:1');
    expect(infra.ad).toBeUndefined();
  });

  it('turns a component left out into an error that says how to get it', () => {
    const infra = toInfra({ mode: 'local', components: ['redis'], redis: { url: 'redis://h:1' } });
    expect(() => infra.kafka).toThrow(/kafka was not started.*NES_TEST_COMPONENTS/);
    expect(() => infra.postgres.url).toThrow(/postgres was not started/);
    expect(Object.keys(infra)).toEqual(['mode', 'redis']);
  });
});
