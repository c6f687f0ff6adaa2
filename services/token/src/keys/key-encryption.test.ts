import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  openPrivateKey,
  parseEncryptionKey,
  sealPrivateKey,
  type EncryptionKey,
} from './key-encryption.js';
import { generateSigningKey } from './signing-algorithms.js';

const kek = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });

describe('sealPrivateKey / openPrivateKey', () => {
  it('round-trips a key under its KEK, bound to kid and alg', () => {
    const key = generateSigningKey('ES256');
    const k1 = kek('k1');
    const sealed = sealPrivateKey(key.privateKey, key.kid, key.alg, k1);
    expect(sealed.kekId).toBe('k1');
    expect(sealed.sealed.includes(key.privateKey.export({ format: 'der', type: 'pkcs8' }))).toBe(
      false,
    );
    const keks = new Map([['k1', k1]]);
    const opened = openPrivateKey(sealed, key.kid, key.alg, keks);
    expect(opened.equals(key.privateKey)).toBe(true);
    expect(() => openPrivateKey(sealed, 'other-kid', key.alg, keks)).toThrow(/failed to decrypt/);
    expect(() => openPrivateKey(sealed, key.kid, 'EdDSA', keks)).toThrow(/failed to decrypt/);
    expect(() => openPrivateKey(sealed, key.kid, key.alg, new Map())).toThrow(
      /unknown encryption key/,
    );
    const tampered = Buffer.from(sealed.sealed);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    expect(() => openPrivateKey({ kekId: 'k1', sealed: tampered }, key.kid, key.alg, keks)).toThrow(
      /failed to decrypt/,
    );
  });
});

describe('parseEncryptionKey', () => {
  it('reads id:base64 of 32 bytes and explains what is wrong otherwise', () => {
    const value = randomBytes(32);
    expect(parseEncryptionKey(`kek-1:${value.toString('base64')}`)).toEqual({
      id: 'kek-1',
      key: value,
    });
    expect(parseEncryptionKey(`kek-1:${value.toString('base64url')}`)).toEqual({
      id: 'kek-1',
      key: value,
    });
    expect(parseEncryptionKey('no-colon')).toMatch(/expected/);
    expect(parseEncryptionKey(`bad id:${value.toString('base64')}`)).toMatch(/key id/);
    expect(parseEncryptionKey(`k:${randomBytes(16).toString('base64')}`)).toMatch(
      /32 bytes, got 16/,
    );
  });
});

describe('generateSigningKey', () => {
  it('uses the RFC 7638 thumbprint as kid and publishes only public members', () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const key = generateSigningKey(alg);
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
      expect(key.publicJwk).not.toHaveProperty('d');
    }
  });
});
