import { describe, expect, it } from 'vitest';

import { fnv1a32, partitionForKey, targetShare } from './partitioning.js';

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    expect(fnv1a32('é')).toBe(fnv1a32(Buffer.from([0xc3, 0xa9]).toString('utf8')));
    expect(fnv1a32('é')).not.toBe(fnv1a32('\u00e9'.normalize('NFD')));
  });
});

describe('partitionForKey', () => {
  it('is stable and within range', () => {
    for (const key of ['user-1', 'user-2', 'band:AA:BB', '∑']) {
      const p = partitionForKey(key, 8);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(8);
      expect(partitionForKey(key, 8)).toBe(p);
    }
  });

  it('spreads keys over partitions', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => partitionForKey(`k${i}`, 8)));
    expect(seen.size).toBe(8);
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionForKey('k', 0)).toThrow(RangeError);
    expect(() => partitionForKey('k', 1.5)).toThrow(RangeError);
  });
});

describe('targetShare', () => {
  it('splits evenly and gives the remainder to the first members', () => {
    const members = ['c', 'a', 'b'];
    expect(members.map((m) => targetShare(8, members, m))).toEqual([2, 3, 3]);
    expect(['a', 'b', 'c'].reduce((sum, m) => sum + targetShare(8, members, m), 0)).toBe(8);
  });

  it('gives a lone member everything and more members than partitions nothing extra', () => {
    expect(targetShare(4, ['x'], 'x')).toBe(4);
    const many = ['a', 'b', 'c', 'd', 'e'];
    expect(many.map((m) => targetShare(4, many, m))).toEqual([1, 1, 1, 1, 0]);
  });

  it('counts itself when not yet in the member list', () => {
    expect(targetShare(4, ['a'], 'b')).toBe(2);
    expect(targetShare(0, ['a'], 'a')).toBe(0);
  });
});
