import { describe, expect, it } from 'vitest';
import { createLruCache } from './lru-cache.js';

describe('createLruCache', () => {
  it('expires entries after their ttl', () => {
    const clock = { now: 0 };
    const cache = createLruCache<string>({ maxEntries: 10, ttlMs: 100, now: () => clock.now });
    cache.set('a', 'A');
    clock.now = 99;
    expect(cache.get('a')).toBe('A');
    clock.now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry', () => {
    const cache = createLruCache<number>({ maxEntries: 2, ttlMs: 1_000, now: () => 0 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('stores nothing with a zero ttl, and deletes on demand', () => {
    const cache = createLruCache<number>({ maxEntries: 2, ttlMs: 0, now: () => 0 });
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 2, 50);
    expect(cache.delete('b')).toBe(true);
    expect(cache.get('b')).toBeUndefined();
  });
});
