import { describe, expect, it } from 'vitest';
import { ADMIN_KEY_PREFIX, generateAdminKey } from '../admin-key.js';
import { findAdminKeyHolder, parseAdminKeyEntry, type AdminKeyEntry } from './admin-keys.js';

function entry(text: string): AdminKeyEntry {
  const parsed = parseAdminKeyEntry(text);
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
    expect(findAdminKeyHolder(alice.key, entries)).toBe('alice');
    expect(findAdminKeyHolder(bob.key, entries)).toBe('EXAMPLE\\bob');
    expect(findAdminKeyHolder(`${alice.key}x`, entries)).toBeUndefined();
    expect(findAdminKeyHolder(alice.key, [])).toBeUndefined();
  });

  it('refuses malformed entries with a reason', () => {
    expect(parseAdminKeyEntry('no-colon')).toMatch(/expected name:sha256hex/);
    expect(parseAdminKeyEntry(':' + 'a'.repeat(64))).toMatch(/expected name/);
    expect(parseAdminKeyEntry('alice:abc')).toMatch(/64 hex digits/);
    expect(parseAdminKeyEntry('bad name:' + 'a'.repeat(64))).toMatch(/expected name/);
    expect(parseAdminKeyEntry('alice:' + 'A'.repeat(64))).toMatchObject({ name: 'alice' });
  });
});
