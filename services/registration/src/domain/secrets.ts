import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of randomness in client secrets and registration access tokens (256 bits). */
export const SECRET_BYTES = 32;

/** A fresh random secret: 256 bits, base64url without padding (43 characters). */
export function newSecret(bytes: number = SECRET_BYTES): string {
  return randomBytes(bytes).toString('base64url');
}

/** Lower-case hex SHA-256 of a UTF-8 string: how tokens and secrets are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Compares two SHA-256 hex digests in constant time. Both are hashes, so
 * their length says nothing about a secret; a malformed one is unequal.
 */
export function hashesEqual(a: string, b: string): boolean {
  if (!HEX_64.test(a) || !HEX_64.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/**
 * Checks a presented secret against a stored hash in constant time. When
 * there is no stored hash (unknown client), a fixed dummy is compared so the
 * work done is the same and the caller cannot tell the cases apart by timing.
 */
export function secretMatches(presented: string, storedHash: string | null | undefined): boolean {
  const expected = storedHash ?? DUMMY_HASH;
  const equal = hashesEqual(sha256Hex(presented), expected);
  return storedHash !== null && storedHash !== undefined && equal;
}

const DUMMY_HASH = sha256Hex('nes-registration: no such secret');
