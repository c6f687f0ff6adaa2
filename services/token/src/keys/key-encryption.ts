import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** A key-encryption key (KEK) from configuration: 32 bytes for AES-256-GCM and its id. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses `id:base64url` (the key is 32 random bytes, e.g. from
 * `openssl rand -base64 32`; standard base64 is accepted too). Returns a
 * problem description instead of throwing, for config error messages — which
 * never contain the value.
 */
export function parseEncryptionKey(text: string): EncryptionKey | string {
  const colon = text.indexOf(':');
  if (colon <= 0) return 'expected key-id:base64 (32 bytes)';
  const id = text.slice(0, colon);
  const encoded = text.slice(colon + 1).trim();
  if (!KEK_ID.test(id)) return 'the key id must be 1-64 letters, digits, ., _ or -';
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) return 'the key is not base64';
  const key = Buffer.from(encoded.replaceAll('+', '-').replaceAll('/', '_'), 'base64url');
  if (key.length !== 32) return `the key must be 32 bytes, got ${key.length}`;
  return { id, key };
}

/** A private key sealed under a KEK: what the database holds. */
export interface SealedKey {
  readonly kekId: string;
  /** IV (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes). */
  readonly sealed: Buffer;
}

/**
 * Additional authenticated data: binds a ciphertext to its row, so a sealed
 * key copied onto another row (another kid or algorithm) fails to open.
 */
function aad(kid: string, alg: string): Buffer {
  return Buffer.from(`nes-token-signing-key:v1:${kid}:${alg}`, 'utf8');
}

/** Encrypts a private key (PKCS#8 DER) with AES-256-GCM under `kek`. */
export function sealPrivateKey(
  privateKey: KeyObject,
  kid: string,
  alg: string,
  kek: EncryptionKey,
): SealedKey {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(aad(kid, alg));
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
  der.fill(0);
  return { kekId: kek.id, sealed: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]) };
}

/**
 * Decrypts a sealed private key with the KEK it names.
 *
 * @throws Error naming the kid (never key material) when the KEK is unknown
 *   or the ciphertext fails authentication.
 */
export function openPrivateKey(
  sealed: SealedKey,
  kid: string,
  alg: string,
  keks: ReadonlyMap<string, EncryptionKey>,
): KeyObject {
  const kek = keks.get(sealed.kekId);
  if (kek === undefined) {
    throw new Error(`signing key '${kid}' is sealed with unknown encryption key '${sealed.kekId}'`);
  }
  if (sealed.sealed.length <= IV_BYTES + TAG_BYTES) {
    throw new Error(`signing key '${kid}' has a truncated ciphertext`);
  }
  const iv = sealed.sealed.subarray(0, IV_BYTES);
  const tag = sealed.sealed.subarray(sealed.sealed.length - TAG_BYTES);
  const body = sealed.sealed.subarray(IV_BYTES, sealed.sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', kek.key, iv);
  decipher.setAAD(aad(kid, alg));
  decipher.setAuthTag(tag);
  let der: Buffer;
  try {
    der = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw new Error(`signing key '${kid}' failed to decrypt (wrong key or tampered row)`, {
      cause: error,
    });
  }
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return key;
}
