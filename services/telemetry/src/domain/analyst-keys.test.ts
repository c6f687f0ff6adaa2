import { findApiKeyHolder, parseApiKeyEntry } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { generateAnalystKey } from './analyst-keys.js';

describe('analyst keys', () => {
  it('finds the holder of a generated key and nobody for another', () => {
    const alice = generateAnalystKey('alice');
    const bob = generateAnalystKey('NES\\bob');
    const entries = [alice.entry, bob.entry].map((e) => {
      const parsed = parseApiKeyEntry(e);
      if (typeof parsed === 'string') throw new Error(parsed);
      return parsed;
    });
    expect(alice.key).toMatch(/^nesaud_/);
    expect(findApiKeyHolder(alice.key, entries)).toBe('alice');
    expect(findApiKeyHolder(bob.key, entries)).toBe('NES\\bob');
    expect(findApiKeyHolder('nesaud_other', entries)).toBeUndefined();
  });

  it('refuses a holder name the configuration would refuse', () => {
    expect(() => generateAnalystKey('bad name')).toThrow("invalid analyst name 'bad name'");
    expect(() => generateAnalystKey('x'.repeat(65))).toThrow(RangeError);
  });
});
