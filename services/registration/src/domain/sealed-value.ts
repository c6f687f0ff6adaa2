import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { findSigningKey, type SigningKey, type SigningKeys } from './signing-keys.js';

/**
 * AES-256-GCM sealing of a CRT's value for the short time it is kept after
 * creation (so that the console can fetch its QR code). The key is derived
 * with HKDF-SHA256 from a CRT signing key, so there is no second secret to
 * configure, and the signing key's `kid` travels with the ciphertext so a
 * value sealed before a key rotation still opens. The CRT's id is the
 * additional authenticated data: a sealed value cannot be moved to another
 * CRT's slot.
 *
 * Format: `v1.<kid>.<iv>.<ciphertext>.<tag>`, base64url parts.
 */

const INFO = Buffer.from('nes-registration crt-value-cache v1', 'utf8');
const SALT = Buffer.from('nes-registration', 'utf8');

function derive(key: SigningKey): Buffer {
  return Buffer.from(hkdfSync('sha256', key.secret, SALT, INFO, 32));
}

/** Seals `value` under the current signing key, bound to `aad`. */
export function sealValue(value: string, keys: SigningKeys, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(keys.current), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url'));
  return ['v1', keys.current.kid, ...parts].join('.');
}

/** Opens a sealed value; undefined if it is malformed, tampered with, for another aad, or its key is gone. */
export function openValue(sealed: string, keys: SigningKeys, aad: string): string | undefined {
  const [version, kid, iv, ciphertext, tag, extra] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || ciphertext === undefined || tag === undefined)
    return undefined;
  if (extra !== undefined) return undefined;
  const key = findSigningKey(keys, kid);
  if (key === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', derive(key), Buffer.from(iv, 'base64url'), {
      // Without it, GCM would accept a truncated (forgeable) tag.
      authTagLength: 16,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
