import { describe, expect, it } from 'vitest';
import { findAnalystKeyHolder, generateAnalystKey, parseAnalystKeyEntry } from './analyst-keys.js';

describe('analyst keys', () => {
  it('finds the holder of a generated key and nobody for another', () => {
    const alice = generateAnalystKey('alice');
    const bob = generateAnalystKey('NES\\bob');
    const entries = [alice.entry, bob.entry].map((e) => {
      const parsed = parseAnalystKeyEntry(e);
      if (typeof parsed === 'string') throw new Error(parsed);
      return parsed;
    });
    expect(alice.key).toMatch(/^nesaud_/);
    expect(findAnalystKeyHolder(alice.key, entries)).toBe('alice');
    expect(findAnalystKeyHolder(bob.key, entries)).toBe('NES\\bob');
    expect(findAnalystKeyHolder('nesaud_other', entries)).toBeUndefined();
  });

  it('explains bad entries without echoing them', () => {
    expect(parseAnalystKeyEntry('alice:nothex')).toBe("the hash of 'alice' must be 64 hex digits");
    expect(parseAnalystKeyEntry('no-colon')).toMatch(/expected name:sha256hex/);
  });
});
