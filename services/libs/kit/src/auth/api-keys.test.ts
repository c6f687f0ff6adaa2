import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findApiKeyHolder, parseApiKeyEntry, type ApiKeyEntry } from './api-keys.js';

function entryFor(name: string, key: string): ApiKeyEntry {
  const parsed = parseApiKeyEntry(`${name}:${createHash('sha256').update(key).digest('hex')}`);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('API keys', () => {
  it('finds the holder of a configured key and nobody for another', () => {
    const entries = [entryFor('alice', 'key-a'), entryFor('EXAMPLE\\bob', 'key-b')];
    expect(findApiKeyHolder('key-a', entries)).toBe('alice');
    expect(findApiKeyHolder('key-b', entries)).toBe('EXAMPLE\\bob');
    expect(findApiKeyHolder('key-ax', entries)).toBeUndefined();
    expect(findApiKeyHolder('key-a', [])).toBeUndefined();
  });

  it('gives the first holder when two entries share a hash', () => {
    const entries = [entryFor('first', 'same'), entryFor('second', 'same')];
    expect(findApiKeyHolder('same', entries)).toBe('first');
  });

  it('refuses malformed entries with a reason that does not echo them', () => {
    expect(parseApiKeyEntry('no-colon')).toMatch(/^expected name:sha256hex/);
    expect(parseApiKeyEntry(':' + 'a'.repeat(64))).toMatch(/^expected name/);
    expect(parseApiKeyEntry('bad name:' + 'a'.repeat(64))).toMatch(/^expected name/);
    expect(parseApiKeyEntry('alice:nothex')).toBe("the hash of 'alice' must be 64 hex digits");
    expect(parseApiKeyEntry('alice:' + 'a'.repeat(63))).toBe(
      "the hash of 'alice' must be 64 hex digits",
    );
  });

  it('accepts upper-case hex and names with a colon before the last one', () => {
    expect(parseApiKeyEntry('alice:' + 'A'.repeat(64))).toMatchObject({ name: 'alice' });
    expect(parseApiKeyEntry('a:b:' + 'a'.repeat(64))).toMatch(/^expected name/);
  });
});
