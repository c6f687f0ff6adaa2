import { findApiKeyHolder, parseApiKeyEntry, type ApiKeyEntry } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY_PREFIX, generateAdminKey } from './admin-key.js';

function entry(text: string): ApiKeyEntry {
  const parsed = parseApiKeyEntry(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('admin API keys', () => {
  it('generates a prefixed key whose entry parses and verifies', () => {
    const alice = generateAdminKey('alice');
    const bob = generateAdminKey('EXAMPLE\\bob');
    expect(alice.key.startsWith(ADMIN_KEY_PREFIX)).toBe(true);
    expect(alice.entry).toMatch(/^alice:[0-9a-f]{64}$/);
    expect(alice.entry).not.toContain(alice.key.slice(ADMIN_KEY_PREFIX.length));
    const entries = [entry(alice.entry), entry(bob.entry)];
    expect(findApiKeyHolder(alice.key, entries)).toBe('alice');
    expect(findApiKeyHolder(bob.key, entries)).toBe('EXAMPLE\\bob');
    expect(findApiKeyHolder(`${alice.key}x`, entries)).toBeUndefined();
    expect(findApiKeyHolder(alice.key, [])).toBeUndefined();
  });
});
