import { describe, expect, it } from 'vitest';
import { hashesEqual, newSecret, secretMatches, sha256Hex } from './secrets.js';

describe('secrets', () => {
  it('makes 256-bit base64url secrets, all different', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newSecret()));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    }
  });

  it('hashes with SHA-256 as lower-case hex', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('compares digests, refusing malformed ones', () => {
    const a = sha256Hex('a');
    expect(hashesEqual(a, a)).toBe(true);
    expect(hashesEqual(a, sha256Hex('b'))).toBe(false);
    expect(hashesEqual(a, a.toUpperCase())).toBe(false);
    expect(hashesEqual(a.slice(1), a.slice(1))).toBe(false);
  });

  it('matches a presented secret against a stored hash, and never without one', () => {
    const stored = sha256Hex('s3cret');
    expect(secretMatches('s3cret', stored)).toBe(true);
    expect(secretMatches('s3cret!', stored)).toBe(false);
    expect(secretMatches('s3cret', null)).toBe(false);
    expect(secretMatches('s3cret', undefined)).toBe(false);
    expect(secretMatches('nes-registration: no such secret', undefined)).toBe(false);
  });
});
